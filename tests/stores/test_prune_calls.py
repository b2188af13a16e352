"""stores.prune_calls (hourly, beat): Acumatica call records past the retention are deleted,
recent ones kept."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from stores.models import AcumaticaCall
from stores.tasks import prune_calls


def _call(store, *, age: dt.timedelta) -> AcumaticaCall:
    return AcumaticaCall.objects.create(
        store=store, at=timezone.now() - age, method="GET", path="/entity/SalesOrder", status=200
    )


def test_old_calls_are_deleted_recent_ones_kept(sandbox, store_factory, settings):
    settings.CONNECTOR_CALL_RETENTION_DAYS = 14
    store = store_factory(sandbox)
    old = [_call(store, age=dt.timedelta(days=15)), _call(store, age=dt.timedelta(days=400))]
    recent = [
        _call(store, age=dt.timedelta(minutes=1)),
        _call(store, age=dt.timedelta(days=13, hours=23)),
    ]

    assert prune_calls() == 2

    remaining = set(AcumaticaCall.objects.values_list("pk", flat=True))
    assert remaining == {call.pk for call in recent}
    assert not remaining & {call.pk for call in old}
    # Safe to run twice: nothing more to delete.
    assert prune_calls() == 0


def test_the_retention_setting_is_honoured(sandbox, store_factory, settings):
    store = store_factory(sandbox)
    call = _call(store, age=dt.timedelta(days=3))
    settings.CONNECTOR_CALL_RETENTION_DAYS = 7
    assert prune_calls() == 0
    settings.CONNECTOR_CALL_RETENTION_DAYS = 2
    assert prune_calls() == 1
    assert not AcumaticaCall.objects.filter(pk=call.pk).exists()
