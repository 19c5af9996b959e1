#!/usr/bin/env bash
# Keeps every core busy while a command runs, to show the tests hold up on a loaded machine;
# with --runs N, runs it N times in a row and stops at the first failure:
#   scripts/busy-cores.sh npx tap dist/test/sigkill.test.js
#   scripts/busy-cores.sh --runs 5 npm test
# The busy loops stop when the runs end (and after 15 minutes per run at most, should this
# script itself be killed).
set -uo pipefail
if [ "${1:-}" = "--help" ] || [ $# -eq 0 ]; then sed -n "2,7p" "$0" | sed "s/^# \?//"; exit 0; fi
runs=1
if [ "${1:-}" = "--runs" ]; then runs=${2:?--runs needs a number}; shift 2; fi
pids=()
for _ in $(seq "$(nproc)"); do timeout $((runs * 900)) sh -c 'while :; do :; done' & pids+=($!); done
trap 'kill "${pids[@]}" 2>/dev/null' EXIT
for i in $(seq 1 "$runs"); do
  start=$SECONDS
  "$@" || { echo "busy-cores: run $i of $runs failed (after $((SECONDS - start)) s, $(nproc) cores busy)"; exit 1; }
  [ "$runs" -gt 1 ] && echo "busy-cores: run $i of $runs passed in $((SECONDS - start)) s with $(nproc) cores busy"
done
exit 0
