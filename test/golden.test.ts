// Each reporter's output for one run with every outcome (pass, fail with a child's control
// characters, skip, todo, flaky, a setup error, a missing peer), held to a golden file with the
// times and the runtime taken out. A change to a report is then a reviewed diff:
//   npm run build && UPDATE_GOLDEN=1 npx tap dist/test/golden.test.js
import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, scratchDir, ROOT } from './helpers.ts';

const GOLDEN = join(ROOT, 'test', 'fixtures', 'golden');
const FILES = ['test/fixtures/scenarios/mixed.yaml', 'test/fixtures/scenarios/setup-error.yaml', 'test/fixtures/scenarios/missing-peer.yaml'];

/** What changes from run to run: durations, clock times, the runtime's name and version. */
function steady(text: string): string {
  return text
    .replace(/\b(node|bun|deno) \d+\.\d+\.\d+/g, 'RUNTIME')
    .replace(/duration_ms: \d+/g, 'duration_ms: N')
    .replace(/time="[\d.]+"/g, 'time="T"')
    .replace(/timestamp="[^"]+"/g, 'timestamp="TS"')
    .replace(/\b\d+(\.\d+)?(ms|s)\b/g, 'D');
}

const VOLATILE_KEYS = /^(durationMs|startedAt|version|setupMs|bytes)$/;
function steadyJson(text: string): string {
  return JSON.stringify(JSON.parse(text, (key, value) => (VOLATILE_KEYS.test(key) ? typeof value : value)), null, 2) + '\n';
}

t.test('every reporter writes what its golden file says', async (t) => {
  const dir = scratchDir(t, 'certharness-golden-');
  const out = { tap: join(dir, 'report.tap'), junit: join(dir, 'report.xml'), console: join(dir, 'report.txt'), json: join(dir, 'report.json') };
  const r = await runCli(['run', ...FILES, '--jobs', '1', ...Object.entries(out).map(([name, file]) => `--reporter=${name}=${file}`)], { env: { CI: undefined } });
  t.equal(r.code, 1, 'a run with a failure exits 1');
  const reports: Record<string, string> = {
    'report.tap': steady(readFileSync(out.tap, 'utf8')),
    'report.xml': steady(readFileSync(out.junit, 'utf8')),
    'report.txt': steady(readFileSync(out.console, 'utf8')),
    'report.json': steadyJson(readFileSync(out.json, 'utf8')),
  };
  for (const [name, text] of Object.entries(reports)) {
    const golden = join(GOLDEN, name);
    if (process.env.UPDATE_GOLDEN) writeFileSync(golden, text);
    t.equal(text, readFileSync(golden, 'utf8'), `${name} is test/fixtures/golden/${name}`);
  }
  t.notMatch(reports['report.txt']!, /\x1b/, "the console shows a child's escape codes, never sends them");
  t.match(reports['report.txt']!, 'cause: \\e[31mred\\x01', 'written out instead');
});
