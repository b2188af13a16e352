"""A stateful simulator of the Acumatica contract-based REST API, served over real HTTP.

Plain Python (standard library only): no Django, no Celery. See README.md beside this file for
what it serves and every choice it makes where Acumatica's behaviour is not documented.
"""
