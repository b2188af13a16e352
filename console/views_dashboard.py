"""Placeholder: being written."""

from django.http import HttpResponse


def dashboard(request, **kwargs):
    return HttpResponse("not yet", status=501)


def dashboard_chart(request, **kwargs):
    return HttpResponse("not yet", status=501)
