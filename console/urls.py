from django.urls import path

from .views import alerts, audit, dashboard, history, merchant_health, reconciliation

app_name = "console"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("dashboard/chart.svg", dashboard.dashboard_chart, name="dashboard_chart"),
    path("alerts/", alerts.alert_list, name="alert_list"),
    path("alerts/<int:alert_id>/", alerts.alert_detail, name="alert_detail"),
    path("audit/", audit.audit_log, name="audit_log"),
    path("health/", merchant_health.merchant_health, name="merchant_health"),
    path("reconciliation/", reconciliation.reconciliation_list, name="reconciliation_list"),
    path(
        "reconciliation/<int:report_id>/",
        reconciliation.reconciliation_detail,
        name="reconciliation_detail",
    ),
    path(
        "reconciliation/<int:report_id>/export.csv",
        reconciliation.reconciliation_export,
        name="reconciliation_export",
    ),
    path(
        "stores/<int:store_id>/reconcile/",
        reconciliation.store_reconcile,
        name="store_reconcile",
    ),
]

# Mounted at /stores/<store_id>/history/ by connector.urls, namespace "history": a store's
# configuration history belongs to the console but lives under its store's address.
history_urlpatterns = [
    path("", history.store_history, name="list"),
    path("<int:entry_id>/revert/", history.history_revert, name="revert"),
]
