from django.urls import path

from . import views, views_wizard

app_name = "stores"

urlpatterns = [
    path("", views.store_list, name="list"),
    # The Add Connection wizard: two steps before the draft store exists, then by its id.
    path("new/", views_wizard.new_basics, name="new"),
    path("new/credentials/", views_wizard.new_credentials, name="new_credentials"),
    path("<int:store_id>/setup/basics/", views_wizard.setup_basics, name="setup_basics"),
    path(
        "<int:store_id>/setup/credentials/",
        views_wizard.setup_credentials,
        name="setup_credentials",
    ),
    path("<int:store_id>/setup/settings/", views_wizard.setup_settings, name="setup_settings"),
    path("<int:store_id>/setup/test/", views_wizard.setup_test, name="setup_test"),
    path("<int:store_id>/setup/review/", views_wizard.setup_review, name="setup_review"),
    path("<int:store_id>/", views.store_detail, name="detail"),
    path("<int:store_id>/edit/", views.store_edit, name="edit"),
    path("<int:store_id>/test/", views.store_test, name="test"),
    path("<int:store_id>/activate/", views.store_activate, name="activate"),
    path("<int:store_id>/pause/", views.store_pause, name="pause"),
    path("<int:store_id>/resume/", views.store_resume, name="resume"),
    path("<int:store_id>/delete/", views.store_delete, name="delete"),
]
