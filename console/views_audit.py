"""Placeholder: being written."""

from django.http import HttpResponse


def audit_log(request, **kwargs):
    return HttpResponse("not yet", status=501)
