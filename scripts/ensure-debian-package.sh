#!/usr/bin/env bash
# Installs a Debian package a test needs, when its command is missing (CI and a fresh machine), e.g.
#   scripts/ensure-debian-package.sh chromium "the HTML report's browser test" chromium fonts-dejavu-core
# Without root or apt, it says so and exits 0: the tests that need the command skip with that reason.
set -euo pipefail
command_name=$1 purpose=$2
shift 2
if command -v "$command_name" >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "setup: $command_name is not installed and this user cannot apt-get it; $purpose will skip" >&2
  exit 0
fi
echo "setup: installing Debian's $* ($purpose)" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "$@" >/dev/null
