#!/usr/bin/env bash
# Installs what ccm-gateway needs to run and test on a Debian machine; safe to re-run.
#  - redis-server: the embedded Redis started when REDIS_URL is unset
#  - poppler-utils: pdftotext/pdfinfo, used by the tests to parse the PDFs we render
#  - postgresql: the tests run every store test against PostgreSQL as well as SQLite
#  - fonts-liberation: the fonts PDF/A letters embed (DOCUMENT_PDFA=true; the tests render them)
#  - chromium: the headless browser the console tests drive through puppeteer-core
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
[ -f /usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf ] || missing+=(fonts-liberation)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # Debian starts packaged services on install; the gateway and its tests start their own.
  $sudo service redis-server stop >/dev/null 2>&1 || true
  $sudo service postgresql stop >/dev/null 2>&1 || true
fi

if [ -f package-lock.json ]; then
  npm ci --no-fund --no-audit || npm install --no-fund --no-audit
else
  npm install --no-fund --no-audit
fi
echo "setup: done"
