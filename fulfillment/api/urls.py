from django.urls import path

from . import events, views

app_name = "api"

urlpatterns = [
    path("orders", views.OrderListView.as_view(), name="order_list"),
    path("orders/<int:order_id>", views.OrderDetailView.as_view(), name="order_detail"),
    path(
        "orders/<int:order_id>/acknowledge",
        views.OrderAcknowledgeView.as_view(),
        name="order_acknowledge",
    ),
    path(
        "orders/<int:order_id>/fulfillments",
        views.OrderFulfillmentsView.as_view(),
        name="order_fulfillments",
    ),
    path(
        "fulfillments/<int:fulfillment_id>",
        views.FulfillmentDetailView.as_view(),
        name="fulfillment_detail",
    ),
    path("events", events.EventFeedView.as_view(), name="event_feed"),
]
