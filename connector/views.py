from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect


@login_required
def home(request):
    # Stores are the first thing everyone works with; later dashboards may take this place.
    return redirect("stores:list")
