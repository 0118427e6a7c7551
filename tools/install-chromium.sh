#!/usr/bin/env bash
# Install Debian's Chromium and its WebDriver for the browser tests (tests/dashboard,
# marker "browser") and for kaleido's static image export. Idempotent: exits at once
# when both binaries are already there. Needs root (CI runs as root, without stdin).
set -euo pipefail

if [[ -x /usr/bin/chromium && -x /usr/bin/chromedriver ]]; then
    exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
    echo "install-chromium: /usr/bin/chromium or /usr/bin/chromedriver is missing;" \
         "run as root: sudo $0" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update </dev/null
apt-get install -y --no-install-recommends chromium chromium-driver </dev/null
