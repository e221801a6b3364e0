#!/bin/sh
# Installs the C libraries aib-logs builds against (PCRE2, zlib) when they are missing.
set -e
if pkg-config --exists libpcre2-8 zlib 2>/dev/null; then
  exit 0
fi
packages="libpcre2-dev zlib1g-dev pkg-config"
if [ "$(id -u)" = 0 ]; then
  apt-get update -qq && apt-get install -y -qq $packages >/dev/null
elif command -v sudo >/dev/null 2>&1; then
  sudo apt-get update -qq && sudo apt-get install -y -qq $packages >/dev/null
else
  echo "aib-logs needs the PCRE2 and zlib headers: apt-get install $packages" >&2
  exit 2
fi
