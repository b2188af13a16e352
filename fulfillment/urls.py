from django.urls import path

from .views import actions, carriers, fulfillments, imports, orders, push, tokens, why

app_name = "fulfillment"

urlpatterns = [
    path("", orders.order_list, name="order_list"),
    path("export.csv", orders.order_list_csv, name="order_list_csv"),
    path("bulk/", orders.order_bulk, name="order_bulk"),
    path("why/", why.order_why, name="order_why"),
    path("<int:order_id>/", orders.order_detail, name="order_detail"),
    path("<int:order_id>/fulfill/", fulfillments.order_fulfill, name="order_fulfill"),
    # Operator actions: GET shows the confirmation step, POST does it (audited).
    path("<int:order_id>/actions/<slug:action>/", actions.order_action, name="order_action"),
    path(
        "fulfillments/<int:fulfillment_id>/retry/",
        actions.fulfillment_retry,
        name="fulfillment_retry",
    ),
    path(
        "fulfillments/<int:fulfillment_id>/carrier-mapping/",
        actions.fulfillment_add_carrier_mapping,
        name="fulfillment_add_carrier_mapping",
    ),
    path("imports/", imports.import_run_list, name="import_run_list"),
    path("imports/<int:run_id>/", imports.import_run_detail, name="import_run_detail"),
    path(
        "imports/<int:run_id>/progress.json",
        imports.import_run_progress,
        name="import_run_progress",
    ),
    path("imports/run/<int:store_id>/", imports.store_import_now, name="store_import_now"),
    path("imports/rescan/<int:store_id>/", imports.store_rescan, name="store_rescan"),
]

# Mounted at /stores/<store_id>/carriers/ by connector.urls, namespace "carriers".
carrier_urlpatterns = [
    path("", carriers.carrier_mapping_list, name="list"),
    path("<int:mapping_id>/", carriers.carrier_mapping_edit, name="edit"),
    path("<int:mapping_id>/delete/", carriers.carrier_mapping_remove, name="delete"),
]

# Mounted at /stores/<store_id>/push/ by connector.urls, namespace "push".
push_urlpatterns = [
    path("", push.push_setup, name="setup"),
]

# Mounted at /api-tokens/ by connector.urls, namespace "api_tokens".
token_urlpatterns = [
    path("", tokens.api_token_list, name="list"),
    path("<int:token_id>/revoke/", tokens.api_token_revoke_view, name="revoke"),
]
