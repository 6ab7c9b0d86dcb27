#!/usr/bin/env bash
# Copies the NHS.UK frontend's compiled CSS, JS and images out of node_modules into the package's
# static folder, so the pages need nothing from another host.
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund --loglevel=error
src=node_modules/nhsuk-frontend/dist/nhsuk
dest=src/crampcheck/web/static/vendor
rm -rf "$dest"
mkdir -p "$dest"
cp "$src/nhsuk-frontend.min.css" "$dest/"
cp "$src/nhsuk-frontend.min.js" "$dest/"
cp -r "$src/assets" "$dest/assets"
touch "$dest/.built"
