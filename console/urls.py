from django.urls import path

from .views import alerts, audit, dashboard, history

app_name = "console"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("dashboard/chart.svg", dashboard.dashboard_chart, name="dashboard_chart"),
    path("alerts/", alerts.alert_list, name="alert_list"),
    path("alerts/<int:alert_id>/", alerts.alert_detail, name="alert_detail"),
    path("audit/", audit.audit_log, name="audit_log"),
]

# Mounted at /stores/<store_id>/history/ by connector.urls, namespace "history": a store's
# configuration history belongs to the console but lives under its store's address.
history_urlpatterns = [
    path("", history.store_history, name="list"),
    path("<int:entry_id>/revert/", history.history_revert, name="revert"),
]
