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

install_system_package() {  # install_system_package COMMAND DEBIAN_PACKAGE BREW_PACKAGE
  command -v "$1" >/dev/null 2>&1 && return 0
  echo "setup: $1 is missing; installing $2"
  if command -v apt-get >/dev/null 2>&1; then
    local sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    $sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
  elif command -v brew >/dev/null 2>&1 && [ -n "$3" ]; then
    brew install "$3"
  fi
  if ! command -v "$1" >/dev/null 2>&1; then
    echo "setup: could not install $1. Install the '$2' package (Debian/Ubuntu) or '$3' (Homebrew) yourself." >&2
    exit 1
  fi
}

ensure_node_modules() {
  # The book serves MathJax, the widgets manager and require.js from its own files.
  install_system_package npm npm node
  local want have=""
  want=$(cat package.json package-lock.json | cksum)
  [ -f node_modules/.lock-stamp ] && have=$(cat node_modules/.lock-stamp)
  if [ "$want" != "$have" ]; then
    echo "setup: installing the pinned front-end assets (npm ci)"
    npm ci --no-audit --no-fund --loglevel=error
    echo "$want" > node_modules/.lock-stamp
  fi
}

ensure_dot
ensure_venv
ensure_node_modules
if [ "${1:-}" = "--browser" ]; then
  # The browser tests drive Debian's Chromium (Playwright may not download one).
  if [ "$(uname)" = "Darwin" ]; then
    [ -x "/Applications/Chromium.app/Contents/MacOS/Chromium" ] || brew install --cask chromium
  else
    install_system_package chromium chromium ""
  fi
fi
