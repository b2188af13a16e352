from django.urls import path

from .views import handoff, review, store, wizard

app_name = "stores"

urlpatterns = [
    path("", store.store_list, name="list"),
    # The Add Connection wizard: two steps before the draft store exists, then by its id.
    path("new/", wizard.new_basics, name="new"),
    path("new/credentials/", wizard.new_credentials, name="new_credentials"),
    path("<int:store_id>/setup/basics/", wizard.setup_basics, name="setup_basics"),
    path("<int:store_id>/setup/credentials/", wizard.setup_credentials, name="setup_credentials"),
    path("<int:store_id>/setup/settings/", wizard.setup_settings, name="setup_settings"),
    path("<int:store_id>/setup/test/", wizard.setup_test, name="setup_test"),
    path("<int:store_id>/setup/review/", wizard.setup_review, name="setup_review"),
    path("<int:store_id>/setup/discard/", wizard.discard_draft, name="discard_draft"),
    path("<int:store_id>/", store.store_detail, name="detail"),
    path("<int:store_id>/edit/", store.store_edit, name="edit"),
    path("<int:store_id>/test/", store.store_test, name="test"),
    # What a running connection test has found so far (JSON the test panel polls).
    path("<int:store_id>/tests/<int:test_run_id>/", review.test_run_progress, name="test_run"),
    path("<int:store_id>/activate/", store.store_activate, name="activate"),
    path("<int:store_id>/pause/", store.store_pause, name="pause"),
    path("<int:store_id>/resume/", store.store_resume, name="resume"),
    path("<int:store_id>/delete/", store.store_delete, name="delete"),
    path("<int:store_id>/handoff/", handoff.store_handoff, name="handoff"),
    path("<int:store_id>/handoff/revoke/", handoff.store_handoff_revoke, name="handoff_revoke"),
]

# Outside /stores/ and without sign-in: the page a credentials link opens (connector/urls.py).
public_urlpatterns = [
    path("connect/<str:token>/", handoff.connect, name="handoff_connect"),
    path("connect/<str:token>/test/", handoff.connect_test_run, name="handoff_test_run"),
]
