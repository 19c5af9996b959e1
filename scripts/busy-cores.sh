#!/usr/bin/env bash
# Keeps every core busy while a command runs, to show the tests hold up on a loaded machine:
#   scripts/busy-cores.sh npx tap dist/test/sigkill.test.js
# The busy loops stop when the command ends (and after 15 minutes at most).
set -uo pipefail
pids=()
for _ in $(seq "$(nproc)"); do timeout 900 sh -c 'while :; do :; done' & pids+=($!); done
trap 'kill "${pids[@]}" 2>/dev/null' EXIT
"$@"
