"""The Acumatica client and the sandbox stay free of Django: importing them in a fresh
interpreter must not load it (import-linter checks the static imports; this checks reality)."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize("module", ["connector.acumatica", "connector.sandbox.server"])
def test_module_imports_without_loading_django(module):
    probe = (
        f"import sys, {module}; "
        "loaded = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')); "
        "print(','.join(loaded)); sys.exit(1 if loaded else 0)"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, f"{module} loaded Django modules: {result.stdout}{result.stderr}"
