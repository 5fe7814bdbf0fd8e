#!/usr/bin/env bash
# Loads the small demo ledger through the bzl CLI: two zone enterprises, their H-books,
# items, and a month of declarations; then the demo zone of deploy/demo/zone.sh. Safe to run again: records that exist are kept, and
# declarations are idempotent by id.
#   usage: deploy/demo/load.sh BZL_BINARY
set -euo pipefail
bzl=${1:?usage: load.sh PATH/TO/bzl}
here=$(cd "$(dirname "$0")" && pwd)

# Runs a bzl command; "already exists" is fine on a second run, anything else stops the demo.
once() {
  local err
  if ! err=$("$bzl" "$@" 2>&1 >/dev/null); then
    case "$err" in
      *ALREADY_EXISTS*) ;;
      *) echo "$err" >&2; return 1 ;;
    esac
  fi
}

once enterprise add --id 6201230001 --uscc 91620100MA71AB1C2F \
  --name "Lanzhou Zone Grain & Oil Processing Co." --area "core bonded zone"
once enterprise add --id 6201230002 --uscc 91620100MA72CD3E4K \
  --name "Lanzhou Zone Electronics Co." --area "airport area"
once book open --book H72012400001 --enterprise 6201230001
once book open --book H72012400002 --enterprise 6201230002
once item add --book H72012400001 --kind material --seq 1 --hs 1206009000 \
  --name "sunflower seed" --unit 035
once item add --book H72012400001 --kind material --seq 2 --hs 3923300000 \
  --name "PET bottle preform" --unit 007
once item add --book H72012400001 --kind product --seq 1 --hs 1512110000 \
  --name "crude sunflower oil" --unit 035 --mode OEM
once item add --book H72012400002 --kind material --seq 1 --hs 8542319000 \
  --name "integrated circuit" --unit 007
"$bzl" submit "$here/declarations.json"
# The demo zone: three enterprises over the four quarters of 2025 (deploy/demo/zone.sh).
"$here/zone.sh" "$bzl" >/dev/null
