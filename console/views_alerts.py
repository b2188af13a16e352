"""Placeholder: being written."""

from django.http import HttpResponse


def alert_list(request, **kwargs):
    return HttpResponse("not yet", status=501)


def alert_detail(request, **kwargs):
    return HttpResponse("not yet", status=501)
