from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect


@login_required
def home(request):
    # The dashboard answers "what is wrong, since when" first; stores are one click away.
    return redirect("console:dashboard")
