"""Every model change has its migration: a fresh database built from the migrations is the
schema the code expects (several people add models at once; a missing one only shows on a
deployment's ``migrate``)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_no_model_change_lacks_a_migration():
    out = io.StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as exit_:
        pytest.fail(f"a migration is missing (exit {exit_.code}):\n{out.getvalue()}")
