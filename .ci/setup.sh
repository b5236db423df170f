#!/usr/bin/env bash
# Idempotent set-up shared by `make book`, `make test` and `make outputs`:
# the Graphviz `dot` binary, a virtualenv in .venv, and the pinned requirements.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
VENV=".venv"

ensure_dot() {
  command -v dot >/dev/null 2>&1 && return 0
  echo "setup: Graphviz's dot is missing; installing it"
  if command -v apt-get >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null
    elif command -v sudo >/dev/null 2>&1; then
      sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null
    fi
  elif command -v brew >/dev/null 2>&1; then
    brew install graphviz
  fi
  if ! command -v dot >/dev/null 2>&1; then
    echo "setup: could not install Graphviz. Install it yourself (it provides the 'dot' program):" >&2
    echo "  Debian/Ubuntu: sudo apt-get install graphviz    macOS: brew install graphviz" >&2
    echo "  conda: conda install -c conda-forge graphviz     other: https://graphviz.org/download/" >&2
    exit 1
  fi
}

ensure_venv() {
  if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
    echo "setup: Python 3.10 or newer is needed as '$PYTHON' (set PYTHON=/path/to/python3.11)" >&2
    exit 1
  fi
  [ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
  # Reinstall only when the pins change: the stamp holds their checksum.
  local want have=""
  want=$(cat requirements.txt pyproject.toml | cksum)
  [ -f "$VENV/.requirements-stamp" ] && have=$(cat "$VENV/.requirements-stamp")
  if [ "$want" != "$have" ]; then
    echo "setup: installing the pinned requirements into $VENV"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r requirements.txt
    echo "$want" > "$VENV/.requirements-stamp"
  fi
}

ensure_dot
ensure_venv
