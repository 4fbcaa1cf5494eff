#!/usr/bin/env bash
# Print the path of a CPython 3.10 interpreter, because Rasa 3.6 runs on CPython 3.8-3.10 only
# and the project pins 3.10. Order: pyenv's 3.10.x, python3.10 on PATH, python3 if it is 3.10.
set -euo pipefail

is_cpython310() {
  "$1" -c 'import sys, platform; sys.exit(0 if sys.version_info[:2] == (3, 10) and platform.python_implementation() == "CPython" else 1)' 2>/dev/null
}

if command -v pyenv >/dev/null 2>&1; then
  root=$(pyenv root 2>/dev/null || true)
  if [ -n "$root" ]; then
    # Newest 3.10.x first.
    for candidate in $(ls -d "$root"/versions/3.10.*/bin/python3.10 2>/dev/null | sort -V -r); do
      if is_cpython310 "$candidate"; then
        echo "$candidate"
        exit 0
      fi
    done
  fi
fi

for name in python3.10 python3; do
  candidate=$(command -v "$name" 2>/dev/null || true)
  if [ -n "$candidate" ] && is_cpython310 "$candidate"; then
    echo "$candidate"
    exit 0
  fi
done

{
  echo "error: no CPython 3.10 interpreter found."
  echo "Rasa 3.6 needs CPython 3.8-3.10; install python3.10 (e.g. 'pyenv install 3.10', or your"
  echo "distribution's python3.10 and python3.10-venv packages) and run make again."
} >&2
exit 1
