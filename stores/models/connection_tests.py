"""A connection test started from a page (the wizard's test step, a store's "Run connection test
again"): it runs as a job on the interactive queue and this row is what the page follows.

The checks found so far are kept as the test reports them (``Check.to_dict``: key, title,
status, message, fix), never a secret; ``current_check`` is the title of the check running now.
The result itself is also recorded on the store (``last_test_*``), as for a test run anywhere
else (``manage.py store_test``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from .connections import StoreConnection


class ConnectionTestRunStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Running"
    PASSED = "passed", "Passed"
    FAILED = "failed", "Failed"
    # The test itself did not finish (its worker died, or a bug): nothing recorded on the store.
    ERROR = "error", "Did not finish"


UNFINISHED = (ConnectionTestRunStatus.QUEUED, ConnectionTestRunStatus.RUNNING)


class ConnectionTestRun(models.Model):
    store = models.ForeignKey(
        StoreConnection, on_delete=models.CASCADE, related_name="connection_test_runs"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Who started it when it was not a signed-in user (the merchant, through a credentials
    # link), and from where: the audit entry of its result says so.
    requested_by_label = models.CharField(max_length=200, blank=True)
    via = models.CharField(max_length=20, blank=True)
    status = models.CharField(
        max_length=10,
        choices=ConnectionTestRunStatus.choices,
        default=ConnectionTestRunStatus.QUEUED,
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The last sign of life of the job: taken, or a check begun or done. A running row whose
    # job stops answering is marked as not finished after a while (``connection_test_runs``).
    progress_at = models.DateTimeField(null=True, blank=True)
    checks = models.JSONField(default=list, blank=True)
    current_check = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["store", "-created_at"])]

    def __str__(self) -> str:
        return f"connection test {self.pk} of store {self.store_id}"

    def __repr__(self) -> str:
        return f"<ConnectionTestRun {self.pk} store={self.store_id} {self.status}>"

    @property
    def finished(self) -> bool:
        return self.status not in UNFINISHED
