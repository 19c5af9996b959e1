// Reporters through the real CLI: TAP read back by tap-parser, JUnit validated by xmllint
// against Jenkins' junit-10.xsd, JSON merged back.
import t from 'tap';
import { readFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Parser } from 'tap-parser';
import { runCli, tempDir, needPeer, sh, ROOT } from './helpers.ts';

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
  const r = await runCli(['run', mixed, passing, '--reporter', `junit=${xml}`, '--reporter', 'tap=' + join(dir, 'out.tap')]);
  t.equal(r.code, 1);
  const text = readFileSync(xml, 'utf8');
  t.match(text, /<testsuite name="Mixed outcomes &lt;&amp;&gt; # with &quot;quotes&quot;" tests="5" failures="1" errors="0" skipped="1"/);
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
  const s1 = await runCli(['run', ...files, '--shard', '1/2', '--reporter', `json=${join(dir, 's1.json')}`, '--reporter', 'tap']);
  const s2 = await runCli(['run', ...files, '--shard', '2/2', '--reporter', `json=${join(dir, 's2.json')}`, '--reporter', 'tap']);
  const j1 = JSON.parse(readFileSync(join(dir, 's1.json'), 'utf8'));
  const j2 = JSON.parse(readFileSync(join(dir, 's2.json'), 'utf8'));
  t.equal(j1.scenarios.length + j2.scenarios.length, 2, 'each scenario runs in exactly one shard');
  t.notSame(j1.scenarios[0].id, j2.scenarios[0].id);
  t.equal(s1.code === 1 || s2.code === 1, true, 'the shard with the failing scenario fails');
  const m = await runCli(['merge', join(dir, 's1.json'), join(dir, 's2.json'), '--reporter', `junit=${join(dir, 'all.xml')}`, '--reporter', `json=${join(dir, 'all.json')}`]);
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
  const r = await runCli(['merge', 'package.json']);
  t.equal(r.code, 2);
  t.equal(r.stderr, 'certharness: package.json: not a certharness JSON report (reportVersion 1 expected)\n');
});

t.test('console reporter without a terminal: no colours, summary line', async (t) => {
  const r = await runCli(['run', passing, '--reporter', 'console']);
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
