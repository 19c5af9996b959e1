// Hostile input is normal input: every file of the corpus in test/fixtures/hostile (written by
// its generate.py) is refused at load with file:line:col and exit 2 — never a stack trace, a
// hang, a half-written file or a work directory. So are inputs that are not files at all.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { loadScenarioFile, loadScenarioText } from '../src/scenario/load.ts';
import { createCatalog } from '../src/runner/catalog.ts';
import { FIXTURES, ROOT, runCli, runCliHere, scratchDir, nothingRan } from './helpers.ts';

const dir = join(FIXTURES, 'hostile');
const files = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();
const catalog = createCatalog();

t.ok(files.length >= 100, `at least 100 hostile files (${files.length})`);

t.test('each file: refused at load, every problem with its position', async (t) => {
  for (const f of files) {
    const file = join(dir, f);
    const r = loadScenarioFile(file, { catalog: catalog.format, env: {} });
    t.notOk(r.scenario, `${f}: no scenario`);
    t.ok(r.problems.length > 0 && r.problems.length <= 51, `${f}: problems, at most 50 and a count`);
    t.ok(r.problems.every((p) => p.at?.file === file && p.at.line >= 1 && p.at.col >= 1), `${f}: every problem has file:line:col`);
    t.ok(r.problems.every((p) => p.message.length <= 301), `${f}: messages stay short`);
  }
});

t.test('through the CLI, all at once: exit 2, one line per problem, nothing run, nothing written', async (t) => {
  const tmp = scratchDir(t, 'certharness-hostile-');
  const r = await runCli(['run', ...files.map((f) => relative(ROOT, join(dir, f)))], { env: { TMPDIR: tmp } });
  t.equal(r.code, 2, 'exit 2');
  nothingRan(t, r.stdout);
  t.notMatch(r.stderr, /\n\s+at .*\(.*:\d+:\d+\)/, 'no stack trace');
  t.notMatch(r.stderr, /internal error/, 'no internal error');
  for (const f of files) t.match(r.stderr, `test/fixtures/hostile/${f}:`, `${f} is named with a position`);
  t.strictSame(readdirSync(tmp), [], 'no work directory was made');
});

t.test('not a regular file, or too large: one line, exit 2, no hang', async (t) => {
  const tmp = scratchDir(t, 'certharness-hostile-');
  const fifo = join(tmp, 'fifo.yaml');
  execFileSync('mkfifo', [fifo]);
  const big = join(tmp, 'big.yaml');
  writeFileSync(big, `scenario: big\nsteps:\n  - exec: "${'x'.repeat(5 * 1024 * 1024)}"\n`);
  const empty = join(tmp, 'empty');
  execFileSync('mkdir', [empty]);
  const d = await runCliHere(['validate', empty]);
  t.equal(d.code, 2, 'a directory without scenarios: exit 2');
  t.match(d.stderr, /holds no \.yaml scenarios/, 'a directory without scenarios: says so');
  for (const [what, path, says] of [
    ['/dev/zero', '/dev/zero', /not a regular file/],
    ['/dev/urandom', '/dev/urandom', /not a regular file/],
    ['a FIFO nobody writes to', fifo, /not a regular file/],
    ['a 5 MiB file', big, /limit is 4194304/],
  ] as const) {
    // /dev/zero end to end in a process of its own (a hang there is the process's); the rest in this one.
    const r = await (path === '/dev/zero' ? runCli : runCliHere)(['validate', path]);
    t.equal(r.code, 2, `${what}: exit 2`);
    t.match(r.stderr, says, `${what}: says why`);
    t.match(r.stderr, `${path}:1:1:`, `${what}: names the file`);
  }
});

t.test('broken: true makes what RFC 5280 forbids, and lint names each fault', async (t) => {
  const tmp = scratchDir(t, 'certharness-broken-');
  const scenario = join(tmp, 'broken.yaml');
  writeFileSync(
    scenario,
    `scenario: deliberately broken certificates
pki:
  ca: { subject: "CN=Broken CA", key: ec-p256 }
  huge: { issuer: ca, subject: "CN=huge", san: [huge.example], key: ec-p256, serial: "0x${'7f'.repeat(21)}", broken: true }
  long: { issuer: ca, subject: "CN=${'c'.repeat(65)}", san: ["DNS:not a name!"], key: ec-p256, broken: true }
  inverted: { issuer: ca, subject: "CN=inverted", san: [inv.example], key: ec-p256, notBefore: "2026-06-01T00:00:00Z", notAfter: "2026-01-01T00:00:00Z", broken: true }
steps:
  - cert: { file: "{{huge.certFile}}" }
    expect: { lint: { contains: serial-too-long } }
  - cert: { file: "{{long.certFile}}" }
    expect: { lint: { contains: common-name-too-long } }
  - cert: { file: "{{long.certFile}}" }
    expect: { lint: { contains: san-not-a-name } }
  - cert: { file: "{{inverted.certFile}}" }
    expect: { lint: { contains: validity-inverted } }
`,
  );
  const r = await runCliHere(['run', scenario, '--reporter', 'tap']);
  t.equal(r.code, 0, `made, and linted as broken\n${r.stdout}${r.stderr}`);
});

t.test('aliases work as YAML says: three steps from one anchor', async (t) => {
  const r = loadScenarioText('aliased.yaml', 'scenario: aliases\nsteps: [&s { sleep: 1ms, name: again }, *s, *s]\n', { catalog: catalog.format, env: {} });
  t.strictSame(r.problems, []);
  t.equal(r.scenario?.steps.length, 3, 'every *s is a step');
});

t.test('4 MiB of unclosed references: 50 problems and a count, no stack overflow', async (t) => {
  const text = `scenario: x\nsteps:\n  - exec: "${'{{x '.repeat(1_000_000)}"\n`;
  const r = loadScenarioText('storm.yaml', text, { catalog: catalog.format, env: {} });
  t.equal(r.problems.length, 51);
  t.match(r.problems[50]!.message, /^and 999950 more problems like these$/);
});
