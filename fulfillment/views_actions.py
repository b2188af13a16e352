"""Placeholder: being written."""

from django.http import HttpResponse


def order_action(request, **kwargs):
    return HttpResponse("not yet", status=501)


def fulfilment_retry(request, **kwargs):
    return HttpResponse("not yet", status=501)


def fulfilment_add_carrier_mapping(request, **kwargs):
    return HttpResponse("not yet", status=501)
