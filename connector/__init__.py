"""The Acumatica ↔ 3PL connector: Django project package.

``connector.celery`` is imported here so that ``@shared_task`` binds to our app whenever Django
starts (the pattern Celery's Django guide recommends).
"""

from .celery import app as celery_app

__all__ = ("celery_app",)
