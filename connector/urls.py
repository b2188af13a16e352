from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from console.urls import history_urlpatterns
from console.views import ops as ops_views
from fulfillment.cutover.urls import urlpatterns as endpoint_cutover_urlpatterns
from fulfillment.urls import carrier_urlpatterns, push_urlpatterns, token_urlpatterns
from fulfillment.views.push import push_webhook
from fulfillment.webhook_urls import webhook_urlpatterns
from stores.urls import public_urlpatterns as stores_public_urlpatterns

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    # Browsers ask for /favicon.ico whatever the page says: the same icon.
    path("favicon.ico", RedirectView.as_view(url=static("img/favicon.svg"))),
    path("console/", include("console.urls")),
    # Operations endpoints: protected (see console.views.ops), never linked from pages.
    path("healthz", ops_views.healthz, name="healthz"),
    path("metrics", ops_views.metrics, name="metrics"),
    path("stores/", include("stores.urls")),
    # A merchant's one-time credentials link (no session: the link is the key).
    *stores_public_urlpatterns,
    # Carrier mappings belong to fulfillment but live under their store's address.
    path("stores/<int:store_id>/carriers/", include((carrier_urlpatterns, "carriers"))),
    path("stores/<int:store_id>/push/", include((push_urlpatterns, "push"))),
    path("stores/<int:store_id>/history/", include((history_urlpatterns, "history"))),
    # The endpoint version's upgrade cut-over (fulfillment.cutover).
    path(
        "stores/<int:store_id>/endpoint/",
        include((endpoint_cutover_urlpatterns, "endpoint_cutover")),
    ),
    path("orders/", include("fulfillment.urls")),
    # The warehouse's webhook subscriptions, their deliveries and replays (fulfillment.events).
    path("webhooks/", include((webhook_urlpatterns, "webhooks"))),
    path("api-tokens/", include((token_urlpatterns, "api_tokens"))),
    # Acumatica's push notifications (no session, no CSRF: the per-store secret header).
    path("push/<str:key>/", push_webhook, name="push_webhook"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("fulfillment.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api_schema"), name="api_docs"),
]
