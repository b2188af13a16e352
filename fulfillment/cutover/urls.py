"""Mounted at /stores/<store_id>/endpoint/ by connector.urls, namespace "endpoint_cutover"."""

from django.urls import path

from .views import endpoint_cutover_page

urlpatterns = [path("", endpoint_cutover_page, name="page")]
