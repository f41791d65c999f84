#!/usr/bin/env bash
# Copies the front-end files the app serves from node_modules (installed by npm ci
# from the lock file) into static/vendor. Nothing is loaded from a CDN.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf static/vendor
mkdir -p static/vendor/altcha static/vendor/dsfr
cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx.min.js
cp node_modules/altcha/dist/external/altcha.min.js node_modules/altcha/dist/external/altcha.css \
   node_modules/altcha/dist/workers/pbkdf2.js node_modules/altcha/dist/i18n/fr-fr.js static/vendor/altcha/
# FranceConnect's button: the DSFR's `connect` component only (its CSS, the logo inside
# it as a data: URI), not the DSFR's core, which would restyle every page.
cp node_modules/@gouvfr/dsfr/dist/component/connect/connect.min.css static/vendor/dsfr/connect.min.css
