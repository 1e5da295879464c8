#!/usr/bin/env bash
# Run the project's pinned uv (scripts/uv-requirements.txt, hash-checked): `bash scripts/uv.sh lock`.
# It lives in .venv/.uv, outside the app's site-packages, so `uv sync` never sees it as an
# extraneous package and the app's environment is exactly what uv.lock says.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
# Never fetch a Python interpreter (only PyPI may be reachable); use the one the venv has.
export UV_PYTHON_DOWNLOADS=never UV_PROJECT_ENVIRONMENT=.venv

has_pip() { "$1" -c 'import importlib.util as u, sys; sys.exit(u.find_spec("pip") is None)' 2>/dev/null; }
# uv is installed with pip: the venv's own, else this Python's. A venv made with pip
# (ensurepip copies and installs it) took ~3 s of CPU, 2.5-9 s of a fresh install's wall
# time; without it, 0.1 s. Only a Python without pip gets a venv with it.
if [[ ! -x .venv/bin/python ]]; then
  if has_pip "$PYTHON"; then
    "$PYTHON" -m venv --without-pip .venv
  else
    "$PYTHON" -m venv .venv
  fi
fi
want=$(grep -m1 -o '^uv==[0-9.]*' scripts/uv-requirements.txt | cut -d= -f3)
uv=.venv/.uv/bin/uv
if [[ ! -x "$uv" ]] || [[ "$("$uv" --version 2>/dev/null | cut -d' ' -f2)" != "$want" ]]; then
  rm -rf .venv/.uv
  pip=(.venv/bin/python -m pip)
  has_pip .venv/bin/python || pip=("$PYTHON" -m pip)
  PIP_ROOT_USER_ACTION=ignore "${pip[@]}" install -q --disable-pip-version-check --require-hashes --no-deps \
    --target .venv/.uv -r scripts/uv-requirements.txt 2>&1 | { grep -v "^WARNING: Location" || true; }
fi
exec "$uv" "$@"
