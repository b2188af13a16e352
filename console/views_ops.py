"""Where ``connector/urls.py`` still finds ``/healthz`` and ``/metrics``: the views are in
``console.views.ops``. Remove this module once the project's URLs import that one."""

from .views.ops import healthz, metrics

__all__ = ["healthz", "metrics"]
