from django.apps import AppConfig


class ConnectorConfig(AppConfig):
    name = "connector"
    verbose_name = "Connector operations"

    def ready(self) -> None:
        # Bind @shared_task to our app in every Django process (web, manage.py, tests).
        from . import celery  # noqa: F401
