#!/usr/bin/env bash
# Print a Python >= 3.12 (Django 6 needs it): on PATH first, then pyenv's installed versions.
set -u
for candidate in python3.13 python3.12 python3 \
    "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.1[2-9]*/bin/python3 \
    /root/.pyenv/versions/3.1[2-9]*/bin/python3; do
  path=$(command -v "$candidate" 2>/dev/null) || continue
  if "$path" -c 'import sys, venv; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
    echo "$path"; exit 0
  fi
done
echo "No Python 3.12 or newer found. On Debian 13: sudo apt-get install python3 python3-venv" >&2
exit 1
