from django.urls import path

from . import views

app_name = "fulfillment"

urlpatterns = [
    path("", views.order_list, name="order_list"),
    path("<int:order_id>/", views.order_detail, name="order_detail"),
    path("imports/", views.import_run_list, name="import_run_list"),
    path("imports/run/<int:store_id>/", views.store_import_now, name="store_import_now"),
]
