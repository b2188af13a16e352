from django.urls import path

from . import views_alerts, views_audit, views_dashboard

app_name = "console"

urlpatterns = [
    path("", views_dashboard.dashboard, name="dashboard"),
    path("dashboard/chart.svg", views_dashboard.dashboard_chart, name="dashboard_chart"),
    path("alerts/", views_alerts.alert_list, name="alert_list"),
    path("alerts/<int:alert_id>/", views_alerts.alert_detail, name="alert_detail"),
    path("audit/", views_audit.audit_log, name="audit_log"),
]
