// The corpus of broken scenario files: each must give exactly the expected one-line
// problems, with positions, before anything runs.
import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { loadScenarioFile } from '../src/scenario/load.ts';
import { formatProblem } from '../src/scenario/problem.ts';
import { createCatalog } from '../src/runner/catalog.ts';
import { FIXTURES, ROOT, runCli, runCliHere, nothingRan } from './helpers.ts';

const dir = join(FIXTURES, 'broken');
const expected = parseExpected(readFileSync(join(dir, 'expected.txt'), 'utf8'));
const files = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();
const catalog = createCatalog();

function parseExpected(text: string): Map<string, string[]> {
  // Format: "== file.yaml" then one expected line per problem, "line:col: message (hint)".
  const map = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('== ')) map.set(line.slice(3).trim(), (current = []));
    else if (line.trim() && current) current.push(line);
  }
  return map;
}

t.ok(files.length >= 30, `at least 30 broken files (${files.length})`);

for (const f of files) {
  t.test(f, async (t) => {
    const file = join(dir, f);
    const r = loadScenarioFile(file, { catalog: catalog.format, env: {} });
    t.notOk(r.scenario, 'no scenario is returned');
    const got = r.problems.map((p) => formatProblem(p).replace(`${file}:`, ''));
    t.strictSame(got, expected.get(f), 'exact problems and positions');
    for (const p of r.problems) t.equal(p.at?.file, file, 'every problem names the file');
  });
}

t.test('through the CLI: exit 2, one line per problem, no stack trace', async (t) => {
  const f = relative(ROOT, join(dir, '36-several-problems.yaml'));
  const r = await runCli(['run', f]);
  t.equal(r.code, 2);
  nothingRan(t, r.stdout);
  const lines = r.stderr.trim().split('\n');
  t.match(lines[0], /^test\/fixtures\/broken\/36-several-problems\.yaml:3:41: pki\.ca\.days must be at least 0, not -1$/);
  t.match(lines[1], /:6:5: unknown key 'expcet' in steps\[0\] \(did you mean 'expect'\?\)$/);
  t.match(lines[2], /:7:5: unknown step kind 'sleeep' in steps\[1\] \(did you mean 'sleep'\?\)$/);
  t.equal(lines[3], '3 problems; nothing was run');
  t.notMatch(r.stderr, /\n\s+at /, 'no stack trace');
});

t.test('problems of several files are all reported', async (t) => {
  const r = await runCliHere(['validate', 'test/fixtures/broken/07-misspelt-steps.yaml', 'test/fixtures/broken/08-misspelt-expect.yaml']);
  t.equal(r.code, 2);
  t.match(r.stderr, /07-misspelt-steps\.yaml:2:1: unknown key 'step'/);
  t.match(r.stderr, /08-misspelt-expect\.yaml:5:5: unknown key 'expct'/);
  t.match(r.stderr, /2 problems in 2 files/);
});
