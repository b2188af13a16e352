from django.db import models


class Heartbeat(models.Model):
    """Last sign of life of a background component (the beat scheduler, a worker), so health
    checks can tell a stopped scheduler from an idle one."""

    component = models.CharField(max_length=64, unique=True)
    beat_at = models.DateTimeField()
    detail = models.CharField(max_length=255, blank=True, default="")

    def __str__(self) -> str:
        return f"{self.component} @ {self.beat_at:%Y-%m-%d %H:%M:%S}"
