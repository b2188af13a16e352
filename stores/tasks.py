"""Store jobs. Placeholder: being written."""

from celery import shared_task


@shared_task(name="stores.prune_calls")
def prune_calls() -> int:
    return 0
