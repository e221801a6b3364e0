#!/bin/sh
# Installs what aib-logs builds and tests against when it is missing: the C libraries (PCRE2,
# zlib) and, for the SARIF schema test, Python's jsonschema.
set -e
run_as_root() {
  if [ "$(id -u)" = 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    return 1
  fi
}

if ! pkg-config --exists libpcre2-8 zlib 2>/dev/null; then
  packages="libpcre2-dev zlib1g-dev pkg-config"
  if ! { run_as_root apt-get update -qq && run_as_root apt-get install -y -qq $packages >/dev/null; }; then
    echo "aib-logs needs the PCRE2 and zlib headers: apt-get install $packages" >&2
    exit 2
  fi
fi

if ! python3 -c 'import jsonschema' 2>/dev/null; then
  if ! { python3 -m pip install -q jsonschema 2>/dev/null ||
    { run_as_root apt-get update -qq && run_as_root apt-get install -y -qq python3-jsonschema >/dev/null; }; }; then
    echo "the SARIF schema test needs Python's jsonschema: pip install jsonschema" >&2
    exit 2
  fi
fi
