#!/usr/bin/env bash
# Regenerates the golden files after an intended change; review `git diff` before committing.
#   npm run build && bash test/update-golden.sh
set -euo pipefail
cd "$(dirname "$0")/.."
node bin/certharness schema > schema/scenario.schema.json
for f in test/fixtures/broken/*.yaml; do
  echo "== $(basename "$f")"
  node bin/certharness validate "$f" 2>&1 | grep -v 'nothing was run' | sed "s#^$f:##" || true
done > test/fixtures/broken/expected.txt
UPDATE_GOLDEN=1 npx tap dist/test/golden.test.js >/dev/null   # the reporters' output (test/fixtures/golden/)
