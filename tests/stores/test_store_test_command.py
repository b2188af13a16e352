"""``manage.py store_test``: finds the store by id or name, prints every check, and exits 0
only when no check failed."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError


def store_test(*args: str) -> tuple[str, CommandError | None]:
    out = io.StringIO()
    try:
        call_command("store_test", *args, stdout=out, no_color=True)
    except CommandError as exc:
        return out.getvalue(), exc
    return out.getvalue(), None


def test_a_passing_store_by_id_prints_every_check_and_exits_0(sandbox, store_factory):
    store = store_factory(sandbox, name="Main store")

    out, error = store_test(str(store.pk))

    assert error is None
    # Skipped: the default warehouse, package contents, and push notifications (not set up).
    assert out.count("[PASS]") == 9 and out.count("[SKIP]") == 3
    assert "[SKIP] Push notifications" in out
    assert "[PASS] Sign-in" in out
    assert "Signed in as admin to tenant Company" in out
    assert "No default warehouse is set" in out
    assert out.rstrip().endswith("The connection test passed.")
    assert len(sandbox.sessions) == 0
    store.refresh_from_db()
    assert store.last_test_passed is True


def test_a_store_by_name_case_insensitive(sandbox, store_factory):
    store_factory(sandbox, name="Main store")

    out, error = store_test("main STORE")

    assert error is None and "Connection test of store" in out


def test_a_failure_prints_the_fix_and_exits_1(sandbox, store_factory):
    store = store_factory(sandbox, password="not-the-password")

    out, error = store_test(str(store.pk))

    assert error is not None and error.returncode == 1
    assert "1 check failed" in str(error)
    assert "[FAIL] Sign-in" in out
    assert "rejected the username “admin” or its password" in out
    assert "Fix: Check both by signing in to Acumatica in a browser" in out
    assert "[SKIP] Web service endpoint" in out
    assert sandbox.config.password not in out and "not-the-password" not in out
    assert len(sandbox.sessions) == 0


def test_warnings_are_printed_but_exit_0(sandbox, store_factory):
    store = store_factory(sandbox, order_type="ZZ")

    out, error = store_test(str(store.pk))

    assert error is None
    assert "[WARN] Order type" in out
    assert "Fix: Check that ZZ is listed on Order Types (SO201000)" in out
    assert "passed with 1 warning." in out


def test_an_ambiguous_name_lists_the_matches(sandbox, store_factory, merchant_factory):
    first = store_factory(sandbox, name="Shop", merchant=merchant_factory("Acme"))
    second = store_factory(sandbox, name="shop", merchant=merchant_factory("Globex"))

    out, error = store_test("Shop")

    assert error is not None
    assert "2 stores are named 'Shop'" in str(error)
    assert f"{first.pk}: Acme / Shop" in str(error)
    assert f"{second.pk}: Globex / shop" in str(error)
    assert out == ""
    assert sandbox.request_log.entries() == []

    out, error = store_test("Shop", "--merchant", "globex")
    assert error is None and f"store {second.pk}" in out


def test_an_unknown_store(db):
    _, error = store_test("Nope")

    assert error is not None and "No store has the id or name 'Nope'" in str(error)


def test_json_output(sandbox, store_factory):
    store = store_factory(sandbox, client_id="not-a-client-id")

    out, error = store_test(str(store.pk), "--json")

    assert error is not None and error.returncode == 1
    report = json.loads(out)
    assert report["store"] == store.pk and report["passed"] is False
    assert report["checks"][0]["key"] == "client_id"
    assert report["checks"][0]["status"] == "fail"


@pytest.mark.parametrize("argument", ["0", "999999"])
def test_an_id_that_matches_no_store(db, argument):
    _, error = store_test(argument)

    assert error is not None and "No store has the id or name" in str(error)
