// Reporters through the real CLI: TAP read back by tap-parser, JUnit validated by xmllint
// against Jenkins' junit-10.xsd, JSON merged back.
import t from 'tap';
import { readFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Parser } from 'tap-parser';
import { runCli, runCliHere, tempDir, needPeer, sh, ROOT } from './helpers.ts';

// A copy of Jenkins' junit-10.xsd (MIT), so the test needs nothing outside the repository.
const XSD = join(ROOT, 'test', 'fixtures', 'junit-10.xsd');
const mixed = 'test/fixtures/scenarios/mixed.yaml';
const passing = 'test/fixtures/scenarios/passing.yaml';

function parseTap(text: string): Promise<{ ok: boolean; count: number; pass: number; fail: number; failures: unknown[]; children: string[] }> {
  return new Promise((resolve) => {
    const p = new Parser();
    const children: string[] = [];
    p.on('child', (c: Parser) => c.on('complete', () => children.push(c.name)));
    p.on('complete', (r) => resolve({ ok: r.ok, count: r.count, pass: r.pass, fail: r.fail, failures: r.failures, children }));
    p.end(text);
  });
}

t.test('TAP 14 output parses: a subtest per scenario, a point per step, directives', async (t) => {
  const r = await runCli(['run', mixed, passing, '--reporter', 'tap', '--jobs', '2']);
  t.equal(r.code, 1, 'a failed step fails the run');
  t.match(r.stdout, /^TAP version 14\n/);
  const parsed = await parseTap(r.stdout);
  t.equal(parsed.count, 2, 'two top-level points: one per scenario');
  t.equal(parsed.fail, 1);
  t.match(r.stdout, /    not ok 2 - fails \\# with a hash & <xml> chars\n/, 'the # in a name is escaped');
  t.match(r.stdout, /    ok 3 - skipped with a reason # SKIP not on this platform/);
  t.match(r.stdout, /    not ok 4 - expected to fail # TODO known bug/);
  t.match(r.stdout, /    ok 5 - flaky, passes on the second attempt\n      ---\n[^]*flaky: passed on attempt 2/);
  t.match(r.stdout, /at: test\/fixtures\/scenarios\/mixed\.yaml:9:5/, 'the diagnostic points at the step');
});

t.test('JUnit validates against junit-10.xsd: a testcase per step', async (t) => {
  const dir = tempDir();
  const xml = join(dir, 'report.xml');
  const r = await runCliHere(['run', mixed, passing, '--reporter', `junit=${xml}`, '--reporter', 'tap=' + join(dir, 'out.tap')]);
  t.equal(r.code, 1);
  const text = readFileSync(xml, 'utf8');
  t.match(text, /<testsuite name="Mixed outcomes &lt;&amp;&gt; # with &quot;quotes&quot;" tests="5" failures="1" errors="0" skipped="2"/);
  t.match(text, /<testcase name="fails # with a hash &amp; &lt;xml&gt; chars"/);
  t.match(text, /<flakyFailure type="assertion" message="exit: expected equals 0, got 1"/);
  t.notMatch(text, /\x1b|\x01/, 'control characters do not reach the XML');
  t.match(text, /<property name="source" value="001"\/>/);
  t.equal((text.match(/<testcase /g) ?? []).length, 8, '5 + 3 steps');
  t.ok(existsSync(join(dir, 'out.tap')), 'tap=PATH writes a file');
  t.notOk(readdirSync(dir).some((f) => f.endsWith('.tmp')), 'no temporary file is left');
  if (!needPeer(t, 'xmllint')) return;
  const v = sh(['xmllint', '--noout', '--schema', XSD, xml]);
  t.equal(v.code, 0, `xmllint: ${v.stderr.trim()}`);
});

t.test('JSON report, shards and merge', async (t) => {
  const dir = tempDir();
  const files = [mixed, passing];
  const s1 = await runCliHere(['run', ...files, '--shard', '1/2', '--reporter', `json=${join(dir, 's1.json')}`, '--reporter', 'tap']);
  const s2 = await runCliHere(['run', ...files, '--shard', '2/2', '--reporter', `json=${join(dir, 's2.json')}`, '--reporter', 'tap']);
  const j1 = JSON.parse(readFileSync(join(dir, 's1.json'), 'utf8'));
  const j2 = JSON.parse(readFileSync(join(dir, 's2.json'), 'utf8'));
  t.equal(j1.scenarios.length + j2.scenarios.length, 2, 'each scenario runs in exactly one shard');
  t.notSame(j1.scenarios[0].id, j2.scenarios[0].id);
  t.equal(s1.code === 1 || s2.code === 1, true, 'the shard with the failing scenario fails');
  const lone = await runCliHere(['merge', join(dir, 's1.json'), '--reporter', `junit=${join(dir, 'lone.xml')}`]);
  t.equal(lone.code, 2, 'a merge that lacks a shard is not a verdict');
  t.equal(lone.stderr, "certharness: merge: shard 2/2 is missing; the merged report would leave its scenarios out (pass every shard's report)\n");
  t.notOk(existsSync(join(dir, 'lone.xml')), 'and writes no report');
  const m = await runCliHere(['merge', join(dir, 's1.json'), join(dir, 's2.json'), '--reporter', `junit=${join(dir, 'all.xml')}`, '--reporter', `json=${join(dir, 'all.json')}`]);
  t.equal(m.code, 1, 'the merged run failed');
  const all = JSON.parse(readFileSync(join(dir, 'all.json'), 'utf8'));
  t.strictSame(all.scenarios.map((s: { id: string }) => s.id), [mixed, passing]);
  t.equal(all.counts.failed, 1);
  t.equal(all.counts.flaky, 1);
  t.equal(all.counts.passed, 4);
  if (!needPeer(t, 'xmllint')) return;
  t.equal(sh(['xmllint', '--noout', '--schema', XSD, join(dir, 'all.xml')]).code, 0, 'merged JUnit validates');
});

t.test('merge of something that is not a report is bad input', async (t) => {
  const r = await runCliHere(['merge', 'package.json']);
  t.equal(r.code, 2);
  t.equal(r.stderr, 'certharness: package.json: not a certharness JSON report (reportVersion 1 expected)\n');
});

t.test('console reporter without a terminal: no colours, summary line', async (t) => {
  const r = await runCliHere(['run', passing, '--reporter', 'console']);
  t.equal(r.code, 0);
  t.notMatch(r.stdout, /\x1b\[/);
  t.match(r.stdout, /✔ Everything passes/);
  t.match(r.stdout, /\n3 passed, 0 failed \(1 scenarios, /);
});

t.test('a report path that cannot be written is bad input, before anything runs', async (t) => {
  const r = await runCli(['run', passing, '--reporter', 'junit=/nonexistent-dir/report.xml']);
  t.equal(r.code, 2);
  t.equal(r.stderr, 'certharness: --reporter junit=/nonexistent-dir/report.xml: cannot write /nonexistent-dir/report.xml: ENOENT\n');
});

/** Every reporter of one run, read back: JSON counts, JUnit root and suites, TAP summary, console summary. */
async function everyReport(env: Record<string, string | undefined>) {
  const dir = tempDir();
  const files = [mixed, 'test/fixtures/scenarios/setup-error.yaml', 'test/fixtures/scenarios/missing-peer.yaml'];
  const out = { json: join(dir, 'r.json'), junit: join(dir, 'r.xml'), tap: join(dir, 'r.tap'), console: join(dir, 'r.txt') };
  const r = await runCliHere(['run', ...files, '--jobs', '1', '--reporter', `json=${out.json}`, '--reporter', `junit=${out.junit}`, '--reporter', `tap=${out.tap}`, '--reporter', `console=${out.console}`], { env });
  const xml = readFileSync(out.junit, 'utf8');
  const attrs = (tag: string) => [...xml.matchAll(new RegExp(`<${tag} ([^>]*)>`, 'g'))].map((m) => Object.fromEntries([...m[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((a) => [a[1], a[2]])));
  return { code: r.code, counts: JSON.parse(readFileSync(out.json, 'utf8')).counts, root: attrs('testsuites')[0]!, suites: attrs('testsuite'), testcases: (xml.match(/<testcase /g) ?? []).length, tap: readFileSync(out.tap, 'utf8'), console: readFileSync(out.console, 'utf8'), xml, junitFile: out.junit };
}

const sum = (list: Record<string, string>[], key: string) => list.reduce((n, s) => n + Number(s[key]), 0);

for (const [label, env, expected] of [
  ['outside CI a missing peer is a skip', { CI: undefined }, { tests: 7, passed: 1, failed: 1, errors: 1, skipped: 2, todo: 1, flaky: 1 }],
  ['under CI a missing peer is an error', { CI: 'true' }, { tests: 7, passed: 1, failed: 1, errors: 2, skipped: 1, todo: 1, flaky: 1 }],
  ['CI=false is not CI', { CI: 'false' }, { tests: 7, passed: 1, failed: 1, errors: 1, skipped: 2, todo: 1, flaky: 1 }],
] as const) {
  t.test(`every reporter adds up to the same counts (${label}): pass, fail, skip, todo, flaky, a setup error, a missing peer`, async (t) => {
    const r = await everyReport(env);
    t.equal(r.code, 1);
    t.match(r.counts, { scenarios: 3, ...expected }, 'JSON');
    t.strictSame([r.root.tests, r.root.failures, r.root.errors].map(Number), [expected.tests, expected.failed, expected.errors], 'JUnit root');
    t.equal(r.testcases, expected.tests, 'one JUnit testcase per test');
    t.strictSame(['tests', 'failures', 'errors', 'skipped'].map((k) => sum(r.suites, k)), [expected.tests, expected.failed, expected.errors, expected.skipped + expected.todo], 'JUnit suites add up to the root (todo is written as skipped)');
    const e = expected;
    t.match(r.tap, `# tests ${e.tests}: passed ${e.passed}, failed ${e.failed}, errors ${e.errors}, skipped ${e.skipped}, todo ${e.todo}, flaky ${e.flaky}\n`, 'TAP');
    t.match(r.console, `\n${e.passed} passed, ${e.failed} failed, ${e.errors} ${e.errors === 1 ? 'error' : 'errors'}, ${e.skipped} skipped, ${e.todo} todo, ${e.flaky} flaky (3 scenarios`, 'console');
    t.match(r.xml, /<error type="pki" message="[^"]*not-a-certificate\.pem holds no PEM certificate/, 'the setup error names its cause');
    if (!needPeer(t, 'xmllint')) return;
    const v = sh(['xmllint', '--noout', '--schema', XSD, r.junitFile]);
    t.equal(v.code, 0, `xmllint: ${v.stderr.trim()}`);
  });
}

t.test('--bail reports the scenarios it never ran, and TAP says Bail out!', async (t) => {
  const r = await runCliHere(['run', mixed, passing, '--jobs', '1', '--bail', '--reporter', 'tap']);
  t.equal(r.code, 1);
  t.match(r.stdout, /^ok 2 - Everything passes # SKIP not run: --bail/m, 'the scenario after the failure is listed, skipped');
  t.match(r.stdout, /^    1\.\.0 # SKIP not run: --bail stopped the run after "Mixed outcomes/m);
  t.match(r.stdout, /^1\.\.2$/m, 'the plan counts every selected scenario');
  t.match(r.stdout, /\nBail out! --bail: "Mixed outcomes/);
});

t.test('merge refuses a report given twice: it would count every scenario twice', async (t) => {
  const dir = tempDir();
  const json = join(dir, 'a.json');
  await runCliHere(['run', passing, '--reporter', `json=${json}`]);
  const m = await runCliHere(['merge', json, json]);
  t.equal(m.code, 2);
  t.equal(m.stderr, `certharness: ${json}: scenario ${passing} is also in ${json}; merging would count it twice (merge the reports of different shards)\n`);
});

t.test('bad input (exit 2) still writes every report, with a failing test per problem and its position', async (t) => {
  const dir = tempDir();
  const broken = 'test/fixtures/broken/03-duplicate-key.yaml';
  const out = { json: join(dir, 'r.json'), junit: join(dir, 'r.xml'), tap: join(dir, 'r.tap') };
  const r = await runCliHere(['run', broken, passing, '--reporter', `json=${out.json}`, '--reporter', `junit=${out.junit}`, '--reporter', `tap=${out.tap}`]);
  t.equal(r.code, 2);
  t.match(r.stderr, `${broken}:2:1: duplicate key`);
  const json = JSON.parse(readFileSync(out.json, 'utf8'));
  t.match(json.counts, { tests: 1, errors: 1, passed: 0 }, 'nothing ran, one error');
  t.match(json.scenarios[0].problems[0], { phase: 'input', code: 'yaml-syntax', message: `${broken}:2:1: duplicate key: each key may appear once in a mapping`, at: { file: broken, line: 2, col: 1 } });
  const xml = readFileSync(out.junit, 'utf8');
  t.match(xml, /<testsuites name="certharness" tests="1" failures="0" errors="1"/);
  t.match(xml, `<error type="input" message="${broken}:2:1: duplicate key`);
  t.match(readFileSync(out.tap, 'utf8'), /^    not ok 1 - input yaml-syntax$/m);
  if (needPeer(t, 'xmllint')) t.equal(sh(['xmllint', '--noout', '--schema', XSD, out.junit]).code, 0, 'valid JUnit');

  const usage = await runCliHere(['run', passing, '--tag', 'no-such-tag', '--reporter', `json=${out.json}`]);
  t.equal(usage.code, 2, 'a command that selects nothing');
  t.match(JSON.parse(readFileSync(out.json, 'utf8')).scenarios[0].problems[0], { phase: 'input', code: 'bad-input', message: /^no scenario selected: --tag no-such-tag/ });
});

t.test('validate --json: the problems with their codes and positions, or the scenarios', async (t) => {
  const bad = await runCliHere(['validate', 'test/fixtures/broken/03-duplicate-key.yaml', passing, '--json']);
  t.equal(bad.code, 2);
  t.equal(bad.stderr, '');
  const report = JSON.parse(bad.stdout);
  t.equal(report.valid, false);
  t.strictSame(report.problems, [{ code: 'yaml-syntax', message: 'duplicate key: each key may appear once in a mapping', file: 'test/fixtures/broken/03-duplicate-key.yaml', line: 2, col: 1 }]);
  const good = await runCliHere(['validate', passing, '--json']);
  t.equal(good.code, 0);
  t.match(JSON.parse(good.stdout), { valid: true, scenarios: [{ id: passing, title: 'Everything passes', steps: 3 }], problems: [] });
});
