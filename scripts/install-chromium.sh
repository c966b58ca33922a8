#!/usr/bin/env bash
# Installs Debian's chromium for the browser tests when we can (root with apt-get).
# Anywhere else this is a no-op and the browser tests skip, saying why.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
  echo "installing Debian's chromium for the browser tests..."
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
    || echo "could not install chromium; browser tests will skip"
else
  echo "no /usr/bin/chromium and no root apt-get: browser tests will skip"
fi
