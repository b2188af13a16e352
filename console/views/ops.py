"""``/healthz`` and ``/metrics`` for load balancers, uptime checks and Prometheus.

Not public: a request needs ``Authorization: Bearer <CONNECTOR_OPS_TOKEN>`` (token access is off
while the setting is empty) or a signed-in 3PL staff session. Anything else gets a bare 401 that
says nothing about the service.
"""

from __future__ import annotations

import logging
import secrets

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from stores.access import is_3pl_staff

from .. import metrics as metrics_module
from .. import ops

logger = logging.getLogger("connector.console")

# The value in .env.example: an install that copied the file by hand has no real token yet.
PLACEHOLDER_TOKEN = "change-me"


def _bearer_token_matches(request) -> bool:
    expected = settings.CONNECTOR_OPS_TOKEN or ""
    if not expected or expected == PLACEHOLDER_TOKEN:
        return False
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        return False
    return secrets.compare_digest(given.strip().encode(), expected.encode())


def ops_access_allowed(request) -> bool:
    return _bearer_token_matches(request) or is_3pl_staff(getattr(request, "user", None))


def _unauthorized() -> HttpResponse:
    response = HttpResponse(
        "Authentication required.\n", status=401, content_type="text/plain; charset=utf-8"
    )
    response["WWW-Authenticate"] = 'Bearer realm="connector"'
    return response


@never_cache
@require_GET
def healthz(request):
    if not ops_access_allowed(request):
        return _unauthorized()
    report = ops.health_report()
    return JsonResponse(report, status=200 if report["status"] == "ok" else 503)


@never_cache
@require_GET
def metrics(request):
    if not ops_access_allowed(request):
        return _unauthorized()
    try:
        body = metrics_module.metrics_render()
    except Exception:
        # The database is the likely cause; /healthz says which check fails.
        logger.exception("metrics: could not compute the metrics")
        return HttpResponse(
            "Metrics unavailable: see /healthz.\n",
            status=503,
            content_type="text/plain; charset=utf-8",
        )
    return HttpResponse(body, content_type=metrics_module.CONTENT_TYPE)
