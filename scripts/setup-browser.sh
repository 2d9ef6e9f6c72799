#!/usr/bin/env bash
# Debian's headless Chromium for the HTML report's browser test (IDPC_CHROMIUM names another browser instead).
# The DOM-level test of the report runs everywhere; the browser test skips with a reason when this cannot install.
set -euo pipefail
[ -n "${IDPC_CHROMIUM:-}" ] && exit 0
exec "$(dirname "$0")/ensure-debian-package.sh" chromium "the HTML report's browser test" chromium fonts-dejavu-core
