"""Placeholder: being written."""

from django.http import HttpResponse


def healthz(request, **kwargs):
    return HttpResponse("not yet", status=501)


def metrics(request, **kwargs):
    return HttpResponse("not yet", status=501)
