"""Endpoint versions: the wizard proposes the newest supported one the instance has installed
(GET /entity), and the connection test names an installed version the connector does not
support, or a newer supported one installed beside the store's. Against the sandbox."""

from __future__ import annotations

import pytest
from django.urls import reverse

from connector.acumatica.endpoints import SUPPORTED_VERSIONS
from stores.endpoint_versions import endpoint_proposal
from stores.models import Role

from .connection_test_support import check, failing, run
from .pages import create_draft

pytestmark = pytest.mark.django_db


@pytest.fixture
def merchant_client(client, user_factory, merchant):
    client.force_login(user_factory(Role.MERCHANT_USER, merchant=merchant))
    return client


def _settings_page(client, store):
    return client.get(reverse("stores:setup_settings", args=[store.pk]))


def test_the_wizard_proposes_the_newest_supported_installed_version(
    merchant_client, sandbox_factory
):
    sandbox = sandbox_factory(
        endpoint_versions=["24.200.001", "26.200.001", "27.200.001", "23.200.001"]
    )
    store = create_draft(merchant_client, sandbox, name="Proposed")
    assert store.endpoint_version == "24.200.001"  # the connector's default

    response = _settings_page(merchant_client, store)
    assert response.status_code == 200
    assert response.context["form"]["endpoint_version"].value() == "26.200.001"
    note = response.content.decode()
    assert "27.200.001, 26.200.001, 24.200.001, 23.200.001 installed" in note
    assert "set to <strong>26.200.001</strong>, the newest of them the connector supports" in note
    assert len(sandbox.sessions) == 0  # asked anonymously, nothing left open


def test_a_chosen_installed_version_stays_and_the_newer_one_is_named(
    merchant_client, sandbox_factory
):
    sandbox = sandbox_factory(endpoint_versions=["23.200.001", "25.200.001"])
    store = create_draft(merchant_client, sandbox, name="Chosen")
    store.endpoint_version = "23.200.001"
    store.save(update_fields=["endpoint_version"])

    response = _settings_page(merchant_client, store)
    assert response.context["form"]["endpoint_version"].value() == "23.200.001"
    assert "The newest the connector supports is 25.200.001" in response.content.decode()


def test_no_supported_version_installed_says_which_are(merchant_client, sandbox_factory):
    sandbox = sandbox_factory(endpoint_versions=["21.200.001", "19.200.001"])
    store = create_draft(merchant_client, sandbox, name="Old")

    proposal = endpoint_proposal(store=store)
    assert proposal.installed == ("21.200.001", "19.200.001") and proposal.proposed is None
    text = _settings_page(merchant_client, store).content.decode()
    assert "The connector supports none of them" in text
    assert ", ".join(SUPPORTED_VERSIONS) in text


def test_the_connection_test_names_an_installed_version_it_does_not_support(
    sandbox_factory, store_factory
):
    sandbox = sandbox_factory(endpoint_versions=["21.200.001", "24.200.001"])
    store = store_factory(sandbox, endpoint_version="21.200.001")

    result = run(store, sandbox)

    failed = failing(result, "endpoint")
    assert "Endpoint Default/21.200.001 is installed" in failed.message
    assert "does not support version 21.200.001" in failed.message
    assert "Set Endpoint Version to 24.200.001" in failed.fix
    assert check(result, "sales_orders").status == "skip"


def test_the_connection_test_names_a_newer_supported_version(sandbox_factory, store_factory):
    sandbox = sandbox_factory(endpoint_versions=["24.200.001", "26.200.001"])
    store = store_factory(sandbox, endpoint_version="24.200.001")

    result = run(store, sandbox)

    assert result.passed
    assert "Default/26.200.001, is installed too" in check(result, "endpoint").message


@pytest.mark.parametrize("version", SUPPORTED_VERSIONS)
def test_the_whole_connection_test_passes_on_every_supported_version(
    sandbox_factory, store_factory, version
):
    sandbox = sandbox_factory(endpoint_versions=[version])
    store = store_factory(sandbox, include_package_contents=True)

    result = run(store, sandbox)

    assert result.passed, [c for c in result.checks if c.status == "fail"]
