"""A store's configuration history and the revert of an entry: each kind of change is put back
through its own service and recorded as "Reverted entry #N"; a revert can be reverted; a later
change wins over the revert (only the fields still holding the entry's "after" are restored);
values refused now change nothing; secrets are never restored from the masked log. The pages:
merchants read their own stores' history only, 3PL staff revert (POST with CSRF)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from console.config_history import (
    RevertRefused,
    config_entry_revert,
    config_history_of,
    config_revert_plan,
)
from fulfillment.models import CarrierMapping
from fulfillment.writeback.carriers import (
    carrier_mapping_add,
    carrier_mapping_delete,
    carrier_mapping_update,
)
from stores.audit import CHANGED
from stores.models import AuditEntry, Role, StoreSecrets, StoreStatus
from stores.services import store_pause, store_resume, store_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(user_factory):
    return user_factory(Role.THREEPL_OPERATOR, username="olga")


@pytest.fixture
def store(sandbox, store_factory, merchant_factory):
    return store_factory(sandbox, merchant=merchant_factory("Acme"), name="Acme main", active=True)


def _last(action: str) -> AuditEntry:
    return AuditEntry.objects.filter(action=action).order_by("-pk").first()


def _reload(store):
    store.refresh_from_db()
    return store


# --- Store settings ---------------------------------------------------------------------------


def test_revert_restores_settings_and_is_recorded_as_a_change_that_can_be_reverted(store, operator):
    store_update(store=store, actor=operator, name="Renamed", import_interval_minutes=15)
    change = _last("store.update")

    result = config_entry_revert(entry=change, actor=operator)

    store = _reload(store)
    assert (store.name, store.import_interval_minutes) == ("Acme main", 5)
    assert store.status == StoreStatus.ACTIVE  # neither field is a connection setting
    [revert] = result.recorded
    assert revert.action == "store.update" and revert.actor == operator
    assert revert.summary.startswith(f"Reverted entry #{change.pk}:")
    assert revert.reason == f"Reverted entry #{change.pk}."
    assert revert.before == {"name": "Renamed", "import_interval_minutes": 15}
    assert revert.after == {"name": "Acme main", "import_interval_minutes": 5}
    assert (
        f"Reverted entry #{change.pk}" in result.message and "back to Acme main" in result.message
    )

    # The revert is a change like any other: reverting it puts the edit back.
    again = config_entry_revert(entry=revert, actor=operator)
    store = _reload(store)
    assert (store.name, store.import_interval_minutes) == ("Renamed", 15)
    assert again.recorded[0].summary.startswith(f"Reverted entry #{revert.pk}:")


def test_a_later_change_wins_the_other_fields_are_reverted_and_the_kept_one_reported(
    store, operator
):
    store_update(store=store, actor=operator, name="Second name", import_interval_minutes=20)
    entry = _last("store.update")
    store_update(store=store, actor=operator, name="Third name")

    plan = config_revert_plan(entry=entry)
    assert plan.possible
    assert plan.kept == ["name was changed again since (now Third name): left as it is"]
    result = config_entry_revert(entry=entry, actor=operator)

    store = _reload(store)
    assert store.name == "Third name" and store.import_interval_minutes == 5
    assert result.recorded[0].after == {"import_interval_minutes": 5}
    assert "name was changed again since (now Third name)" in result.message


def test_when_every_field_changed_again_nothing_is_reverted_nor_recorded(store, operator):
    store_update(store=store, actor=operator, import_interval_minutes=20)
    entry = _last("store.update")
    store_update(store=store, actor=operator, import_interval_minutes=30)
    count = AuditEntry.objects.count()

    with pytest.raises(RevertRefused, match="changed again since"):
        config_entry_revert(entry=entry, actor=operator)

    assert _reload(store).import_interval_minutes == 30
    assert AuditEntry.objects.count() == count


def test_a_revert_refused_by_todays_validation_explains_and_changes_nothing(store, operator):
    # Valid then: 5 API users with none kept; later 3 of them kept for other programs. Back to
    # 2 users would leave the connector none.
    store_update(store=store, actor=operator, licence_api_users=2)
    store_update(store=store, actor=operator, licence_api_users=5)
    entry = _last("store.update")
    store_update(store=store, actor=operator, licence_api_users_reserved=3)
    count = AuditEntry.objects.count()

    with pytest.raises(RevertRefused) as refused:
        config_entry_revert(entry=entry, actor=operator)

    assert "Keep fewer than the licence's 2 API users" in str(refused.value)
    assert "Nothing was changed" in str(refused.value)
    store = _reload(store)
    assert (store.licence_api_users, store.licence_api_users_reserved) == (5, 3)
    assert AuditEntry.objects.count() == count


def test_a_tenant_that_no_longer_agrees_with_the_client_id_is_refused(store, operator):
    guid = store.client_id.split("@")[0]
    store_update(store=store, actor=operator, tenant=store.client_id.split("@")[1])
    store_update(store=store, actor=operator, tenant="")
    blanked = _last("store.update")
    store_update(store=store, actor=operator, client_id=f"{guid}@OtherTenant")

    plan = config_revert_plan(entry=blanked)
    assert not plan.possible and "tenant: The Client ID belongs to tenant" in plan.refusal
    with pytest.raises(RevertRefused, match="Client ID belongs to tenant 'OtherTenant'"):
        config_entry_revert(entry=blanked, actor=operator)
    assert _reload(store).tenant == ""


def test_a_connection_setting_reverted_sends_the_active_store_back_to_draft(store, operator):
    store_update(store=store, actor=operator, order_type="IN")
    entry = _last("store.update")
    assert entry.after["status"] == StoreStatus.DRAFT
    store.refresh_from_db()
    store.status = StoreStatus.ACTIVE  # activated again after a passing test
    store.save(update_fields=["status"])

    plan = config_revert_plan(entry=entry)
    assert any("back to draft" in note for note in plan.notes)
    config_entry_revert(entry=entry, actor=operator)

    store = _reload(store)
    assert store.order_type == "SO" and store.status == StoreStatus.DRAFT


def _ciphertexts(store) -> tuple[str, str]:
    secrets = StoreSecrets.objects.get(store=store)
    return secrets.client_secret, secrets.password


def test_secrets_are_never_restored_from_the_masked_log(store, operator):
    store_update(store=store, actor=operator, client_secret="a-new-shared-secret")
    only_secret = _last("store.update")
    assert only_secret.after["client_secret"] == CHANGED
    stored = _ciphertexts(store)

    plan = config_revert_plan(entry=only_secret)
    assert not plan.possible and "re-enter the secret" in plan.refusal
    with pytest.raises(RevertRefused, match="re-enter the secret"):
        config_entry_revert(entry=only_secret, actor=operator)

    store_update(store=store, actor=operator, name="With secret", password="a-new-password-1")
    mixed = _last("store.update")
    stored = _ciphertexts(store)
    result = config_entry_revert(entry=mixed, actor=operator)

    assert _reload(store).name == "Acme main"
    assert _ciphertexts(store) == stored  # untouched
    assert "password cannot be restored from the log" in result.message
    assert "password" not in result.recorded[0].after


# --- Pause and resume -------------------------------------------------------------------------


def test_pause_and_resume_are_reverted_through_resume_and_pause(store, operator):
    store_pause(store=store, reason="stock count", actor=operator)
    pause = _last("store.pause")

    result = config_entry_revert(entry=pause, actor=operator)
    assert _reload(store).status == StoreStatus.ACTIVE
    [resumed] = result.recorded
    assert resumed.action == "store.resume"
    assert resumed.summary.startswith(f"Reverted entry #{pause.pk}:")

    # Reverting that resume pauses the store again.
    config_entry_revert(entry=resumed, actor=operator)
    store = _reload(store)
    assert store.status == StoreStatus.PAUSED
    assert store.status_reason == f"Reverted entry #{resumed.pk}."


def test_a_pause_already_undone_is_not_reverted(store, operator):
    store_pause(store=store, actor=operator)
    pause = _last("store.pause")
    store_resume(store=store, actor=operator)

    with pytest.raises(RevertRefused, match="active now, not paused"):
        config_entry_revert(entry=pause, actor=operator)
    assert _reload(store).status == StoreStatus.ACTIVE


# --- Carrier mappings -------------------------------------------------------------------------


def test_carrier_mapping_create_update_and_delete_are_reverted(store, operator):
    mapping = carrier_mapping_add(
        store=store, carrier="UPS", service="Ground", ship_via="UPSGND", actor=operator
    )
    created = _last("carrier_mapping.create")
    carrier_mapping_update(
        mapping=mapping, carrier="UPS", service="Ground", ship_via="UPS2DAY", actor=operator
    )
    updated = _last("carrier_mapping.update")

    config_entry_revert(entry=updated, actor=operator)
    assert CarrierMapping.objects.get(pk=mapping.pk).ship_via == "UPSGND"

    # The mapping is as the creation left it again: reverting the creation deletes it.
    result = config_entry_revert(entry=created, actor=operator)
    assert not CarrierMapping.objects.filter(store=store).exists()
    assert result.recorded[0].action == "carrier_mapping.delete"

    # And reverting that deletion restores the row.
    config_entry_revert(entry=result.recorded[0], actor=operator)
    row = CarrierMapping.objects.get(store=store)
    assert (row.carrier, row.service, row.ship_via) == ("UPS", "GROUND", "UPSGND")


def test_a_deleted_mapping_is_restored_unless_it_exists_again(store, operator):
    mapping = carrier_mapping_add(
        store=store, carrier="FedEx", ship_via="FEDEXGND", default_box_id="BOX1", actor=operator
    )
    carrier_mapping_delete(mapping=mapping, actor=operator)
    deleted = _last("carrier_mapping.delete")

    config_entry_revert(entry=deleted, actor=operator)
    row = CarrierMapping.objects.get(store=store, carrier=mapping.carrier)
    assert (row.ship_via, row.default_box_id) == ("FEDEXGND", "BOX1")

    with pytest.raises(RevertRefused, match="exists again"):
        config_entry_revert(entry=deleted, actor=operator)


def test_a_mapping_changed_again_since_keeps_its_later_value(store, operator):
    mapping = carrier_mapping_add(store=store, carrier="DHL", ship_via="DHL1", actor=operator)
    carrier_mapping_update(
        mapping=mapping, carrier="DHL", ship_via="DHL2", default_box_id="SMALL", actor=operator
    )
    entry = _last("carrier_mapping.update")
    carrier_mapping_update(
        mapping=mapping, carrier="DHL", ship_via="DHL3", default_box_id="SMALL", actor=operator
    )

    result = config_entry_revert(entry=entry, actor=operator)

    row = CarrierMapping.objects.get(pk=mapping.pk)
    assert (row.ship_via, row.default_box_id) == ("DHL3", "")
    assert "ship via was changed again since (now DHL3)" in result.message


def test_a_merchant_user_cannot_revert_even_through_the_service(store, user_factory):
    merchant_user = user_factory(Role.MERCHANT_USER, merchant=store.merchant)
    store_update(store=store, actor=merchant_user, name="Theirs")
    with pytest.raises(PermissionDenied, match="Only 3PL staff"):
        config_entry_revert(entry=_last("store.update"), actor=merchant_user)
    assert _reload(store).name == "Theirs"


def test_history_lists_configuration_changes_only(store, operator):
    store_update(store=store, actor=operator, import_interval_minutes=9)
    store_pause(store=store, actor=operator)
    carrier_mapping_add(store=store, carrier="UPS", ship_via="UPSGND", actor=operator)
    AuditEntry.objects.create(
        actor_label="x", action="order.skip", summary="not config", store=store
    )
    actions = list(config_history_of(store).values_list("action", flat=True))
    assert actions[:3] == ["carrier_mapping.create", "store.pause", "store.update"]
    assert "order.skip" not in actions and "store.create" in actions


# --- Pages ------------------------------------------------------------------------------------


@pytest.fixture
def pages(store, operator, sandbox, store_factory, merchant_factory, user_factory):
    other = store_factory(sandbox, merchant=merchant_factory("Globex"), name="Globex secret")
    store_update(store=store, actor=operator, name="Acme renamed")
    store_update(store=other, actor=operator, name="Globex renamed")
    return {
        "store": store,
        "other": other,
        "entry": AuditEntry.objects.filter(store=store, action="store.update").first(),
        "other_entry": AuditEntry.objects.filter(store=other, action="store.update").first(),
        "acme_user": user_factory(Role.MERCHANT_USER, merchant=store.merchant),
        "globex_user": user_factory(Role.MERCHANT_USER, merchant=other.merchant),
    }


def _history(store) -> str:
    return reverse("history:list", args=[store.pk])


def _revert(store, entry) -> str:
    return reverse("history:revert", args=[store.pk, entry.pk])


def test_staff_see_before_after_confirm_and_revert_on_the_page(client, pages, operator):
    store, entry = pages["store"], pages["entry"]
    client.force_login(operator)

    page = client.get(_history(store)).content.decode()
    assert "Acme main" in page and "Acme renamed" in page and _revert(store, entry) in page

    confirm = client.get(_revert(store, entry))
    assert confirm.status_code == 200
    assert "Name back to Acme main" in confirm.content.decode()
    assert _reload(store).name == "Acme renamed"  # GET changes nothing

    done = client.post(_revert(store, entry), follow=True)
    assert _reload(store).name == "Acme main"
    assert f"Reverted entry #{entry.pk}" in done.content.decode()
    assert done.redirect_chain[-1][0] == _history(store)


def test_the_audit_log_links_each_revertable_entry_to_its_revert(client, pages, operator):
    client.force_login(operator)
    page = client.get("/console/audit/").content.decode()
    assert _revert(pages["store"], pages["entry"]) in page
    create = AuditEntry.objects.get(store=pages["store"], action="store.create")
    assert _revert(pages["store"], create) not in page


def test_merchant_users_read_their_history_and_cannot_revert(client, pages):
    store, entry = pages["store"], pages["entry"]
    client.force_login(pages["acme_user"])

    page = client.get(_history(store))
    assert page.status_code == 200 and "Acme renamed" in page.content.decode()
    assert "Revert" not in page.content.decode().split("<main>")[1]
    assert client.get(_revert(store, entry)).status_code == 404
    assert client.post(_revert(store, entry)).status_code == 404
    assert _reload(store).name == "Acme renamed"
    audit = client.get("/console/audit/").content.decode()
    assert "/revert/" not in audit


def test_another_merchants_history_and_entries_do_not_exist(client, pages, operator):
    store, other = pages["store"], pages["other"]
    client.force_login(pages["acme_user"])
    assert client.get(_history(other)).status_code == 404
    assert client.post(_revert(other, pages["other_entry"])).status_code == 404

    # Staff cannot reach an entry through another store's address either.
    client.force_login(operator)
    assert client.get(_revert(store, pages["other_entry"])).status_code == 404
    assert client.post(_revert(store, pages["other_entry"])).status_code == 404
    assert _reload(other).name == "Globex renamed"


def test_revert_needs_the_csrf_token(pages, operator):
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(operator)
    response = csrf_client.post(_revert(pages["store"], pages["entry"]))
    assert response.status_code == 403
    assert _reload(pages["store"]).name == "Acme renamed"


def test_a_refused_revert_says_why_on_the_page(client, store, operator):
    store_update(store=store, actor=operator, client_secret="another-shared-secret")
    entry = _last("store.update")
    client.force_login(operator)
    page = client.get(_revert(store, entry)).content.decode()
    assert "re-enter the secret" in page and 'type="submit" class="danger"' not in page
    done = client.post(_revert(store, entry), follow=True)
    assert "re-enter the secret" in done.content.decode()
