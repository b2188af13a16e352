# Sourced by bin/run and bin/test: make sure .venv exists and holds the project's dependencies.
# Reinstalls only when pyproject.toml changed since the last install.
set -euo pipefail

find_python() {
  for candidate in "${PYTHON:-}" python3.11 python3.12 python3.13 python3; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(0 if (3, 11) <= sys.version_info[:2] < (3, 14) else 1)' 2>/dev/null; then
      echo "$candidate"; return 0
    fi
  done
  echo "Python 3.11, 3.12 or 3.13 is needed (set PYTHON=/path/to/python)." >&2
  return 1
}

ensure_venv() {
  if [ ! -x .venv/bin/python ]; then
    local python; python=$(find_python)
    echo "Creating .venv with $python…"
    "$python" -m venv .venv
  fi
  local stamp=.venv/.installed-pyproject
  local want; want=$(.venv/bin/python -c 'import hashlib,sys; print(hashlib.sha256(open("pyproject.toml","rb").read()).hexdigest())')
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "Installing dependencies into .venv…"
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -e '.[dev]'
    echo "$want" > "$stamp"
  fi
}

ensure_env_file() {
  # A local .env with freshly generated keys, so no two installs share a secret.
  if [ -f .env ] && ! grep -q '^CONNECTOR_CREDENTIALS_KEYS=' .env; then
    echo "CONNECTOR_CREDENTIALS_KEYS=$(.venv/bin/python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')" >> .env
    echo "Added a credentials key to .env."
  fi
  if [ ! -f .env ]; then
    .venv/bin/python - <<'PY'
import secrets
from pathlib import Path

from cryptography.fernet import Fernet

text = Path(".env.example").read_text()
text = text.replace("DJANGO_SECRET_KEY=change-me", f"DJANGO_SECRET_KEY={secrets.token_urlsafe(50)}")
text = text.replace(
    "CONNECTOR_CREDENTIALS_KEYS=change-me",
    f"CONNECTOR_CREDENTIALS_KEYS={Fernet.generate_key().decode()}",
)
text = text.replace("CONNECTOR_OPS_TOKEN=change-me", f"CONNECTOR_OPS_TOKEN={secrets.token_urlsafe(32)}")
Path(".env").write_text(text)
print("Wrote .env with a new secret key, credentials key and operations token.")
PY
  fi
}
