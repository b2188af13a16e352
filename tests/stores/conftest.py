"""Fixtures for stores: merchants, users in each role, and store connections pointing at a
running sandbox with its real credentials."""

from __future__ import annotations

import pytest

from stores.models import Role


@pytest.fixture
def merchant(merchant_factory):
    return merchant_factory("Acme Outdoor")


@pytest.fixture
def admin_user(user_factory):
    return user_factory(Role.THREEPL_ADMIN, username="tpl-admin")


@pytest.fixture
def operator_user(user_factory):
    return user_factory(Role.THREEPL_OPERATOR, username="tpl-operator")
