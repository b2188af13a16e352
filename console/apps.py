from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    """The operator console: dashboard, alerts, audit log, health and metrics endpoints."""

    name = "console"
    verbose_name = "Operator console"
