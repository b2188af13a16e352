"""The Acumatica ↔ 3PL connector: Django project package.

The Celery app (``connector.celery``) is loaded by ``ConnectorConfig.ready()`` rather than
here, so that ``connector.acumatica`` and ``connector.sandbox`` can be imported without pulling
in Django or Celery.
"""
