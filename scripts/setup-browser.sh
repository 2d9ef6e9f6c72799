#!/usr/bin/env bash
# Installs Debian's headless Chromium for the HTML report's browser test, when it is missing (CI and a fresh machine).
# Without root or apt, it says so and the browser test skips with that reason; the DOM-level test runs everywhere.
set -euo pipefail
if command -v chromium >/dev/null 2>&1 || [ -n "${IDPC_CHROMIUM:-}" ]; then exit 0; fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "setup-browser: chromium is not installed and this user cannot apt-get it; the browser test will skip" >&2
  exit 0
fi
echo "setup-browser: installing Debian's chromium (headless browser test of the HTML report)" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
