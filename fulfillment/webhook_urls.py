"""The webhook pages, mounted at /webhooks/ by connector.urls (namespace "webhooks")."""

from django.urls import path

from .views import webhooks

webhook_urlpatterns = [
    path("", webhooks.webhook_list, name="list"),
    path("<int:subscription_id>/", webhooks.subscription_detail, name="detail"),
    path("<int:subscription_id>/rotate/", webhooks.subscription_rotate, name="rotate"),
    path("<int:subscription_id>/disable/", webhooks.subscription_off, name="disable"),
    path("<int:subscription_id>/enable/", webhooks.subscription_on, name="enable"),
    path("deliveries/<int:delivery_id>/", webhooks.delivery_detail, name="delivery"),
    path("deliveries/<int:delivery_id>/replay/", webhooks.delivery_replay_view, name="replay"),
    path("events/<uuid:event_id>/replay/", webhooks.event_replay_view, name="event_replay"),
]
