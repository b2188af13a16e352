from django.urls import path

from .views import alerts, audit, dashboard

app_name = "console"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("dashboard/chart.svg", dashboard.dashboard_chart, name="dashboard_chart"),
    path("alerts/", alerts.alert_list, name="alert_list"),
    path("alerts/<int:alert_id>/", alerts.alert_detail, name="alert_detail"),
    path("audit/", audit.audit_log, name="audit_log"),
]
