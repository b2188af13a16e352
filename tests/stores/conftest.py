"""Fixtures for stores: merchants, users in each role, and store connections pointing at a
running sandbox with its real credentials."""

from __future__ import annotations

import itertools

import pytest
from django.contrib.auth import get_user_model

from stores.models import Role, UserProfile
from stores.services import merchant_get_or_create, store_create

_numbers = itertools.count(1)


@pytest.fixture
def merchant_factory(db):
    def make(name: str | None = None):
        return merchant_get_or_create(name=name or f"Merchant {next(_numbers)}")

    return make


@pytest.fixture
def merchant(merchant_factory):
    return merchant_factory("Acme Outdoor")


@pytest.fixture
def user_factory(db):
    """``user_factory(Role.MERCHANT_USER, merchant=m)``; password is always "pw-for-tests-1"."""

    def make(role: str, *, merchant=None, username: str | None = None):
        user = get_user_model().objects.create_user(
            username=username or f"user{next(_numbers)}", password="pw-for-tests-1"
        )
        UserProfile.objects.create(user=user, role=role, merchant=merchant)
        return user

    return make


@pytest.fixture
def admin_user(user_factory):
    return user_factory(Role.THREEPL_ADMIN, username="tpl-admin")


@pytest.fixture
def operator_user(user_factory):
    return user_factory(Role.THREEPL_OPERATOR, username="tpl-operator")


@pytest.fixture
def store_factory(db, merchant_factory):
    """``store_factory(sandbox, merchant=None, **field_overrides)``: a draft store whose
    credentials are the sandbox's own (override client_secret/password to break them)."""

    def make(sandbox, *, merchant=None, name: str | None = None, **overrides):
        config = sandbox.config
        fields = {
            "instance_url": sandbox.base_url,
            "client_id": config.client_id,
            "username": config.username,
            "client_secret": config.client_secret,
            "password": config.password,
            "endpoint_version": config.endpoint_versions[0],
        }
        fields.update(overrides)
        return store_create(
            merchant=merchant or merchant_factory(),
            name=name or f"Store {next(_numbers)}",
            **fields,
        )

    return make
