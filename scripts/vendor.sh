#!/usr/bin/env bash
# Install the front-end packages pinned in package-lock.json and copy the files the pages load
# into static/vendor/ (git-ignored: no third-party code in the repository).
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund
mkdir -p static/vendor
cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx.min.js
cp node_modules/echarts/dist/echarts.min.js static/vendor/echarts.min.js
echo "static/vendor: $(ls static/vendor | tr '\n' ' ')"
