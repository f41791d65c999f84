#!/usr/bin/env bash
# Copies the front-end files the app serves from node_modules (installed by npm ci
# from the lock file) into static/vendor. Nothing is loaded from a CDN.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf static/vendor
mkdir -p static/vendor/altcha
cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx.min.js
cp node_modules/altcha/dist/external/altcha.min.js node_modules/altcha/dist/external/altcha.css \
   node_modules/altcha/dist/workers/pbkdf2.js node_modules/altcha/dist/i18n/fr-fr.js static/vendor/altcha/
