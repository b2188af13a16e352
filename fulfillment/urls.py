from django.urls import path

from . import views, views_carriers, views_fulfilments

app_name = "fulfillment"

urlpatterns = [
    path("", views.order_list, name="order_list"),
    path("<int:order_id>/", views.order_detail, name="order_detail"),
    path("<int:order_id>/fulfil/", views_fulfilments.order_fulfil, name="order_fulfil"),
    path("imports/", views.import_run_list, name="import_run_list"),
    path("imports/run/<int:store_id>/", views.store_import_now, name="store_import_now"),
]

# Mounted at /stores/<store_id>/carriers/ by connector.urls, namespace "carriers".
carrier_urlpatterns = [
    path("", views_carriers.carrier_mapping_list, name="list"),
    path("<int:mapping_id>/", views_carriers.carrier_mapping_edit, name="edit"),
    path("<int:mapping_id>/delete/", views_carriers.carrier_mapping_remove, name="delete"),
]
