"""Placeholder: being written."""

from django.http import HttpResponse


def order_why(request, **kwargs):
    return HttpResponse("not yet", status=501)
