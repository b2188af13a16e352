"""The console's pages: ``dashboard`` (alerts, health and the chart), ``alerts`` (list and one
alert), ``audit`` (the audit log and its CSV) and ``ops`` (``/healthz`` and ``/metrics``)."""
