#!/usr/bin/env bash
# Installs Debian's redis-server (>= 7) for the shared-store tests and bench, when it is missing (CI and a fresh machine).
# Without root or apt, it says so and the Redis tests skip with that reason; the in-memory store is tested everywhere.
set -euo pipefail
if command -v redis-server >/dev/null 2>&1 || [ -n "${IDPC_REDIS_SERVER:-}" ]; then exit 0; fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "setup-redis: redis-server is not installed and this user cannot apt-get it; the Redis store tests will skip" >&2
  exit 0
fi
echo "setup-redis: installing Debian's redis-server (shared store of replicated mocks)" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
# The package's service is not started: tests and replicas start their own server on a free loopback port.
apt-get install -y -qq --no-install-recommends redis-server >/dev/null
