// The HTML report, read the way a browser reads it (parse5, the WHATWG parser): its counts are
// the JSON report's, each scenario has its row and status, a failure shows its cause, text from
// a scenario stays text, and a saved JSON report renders to the same page.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, type DefaultTreeAdapterMap } from 'parse5';
import { ROOT, needPeer, runCliHere, scratchDir } from './helpers.ts';
import { BROWSER, checkReportInBrowser } from './html-browser.ts';
import type { RunResult } from '../src/runner/events.ts';

type Node = DefaultTreeAdapterMap['node'];
type Element = DefaultTreeAdapterMap['element'];

function elements(node: Node): Element[] {
  const children = 'childNodes' in node ? node.childNodes : [];
  const self = 'tagName' in node ? [node as Element] : [];
  return [...self, ...children.flatMap(elements), ...('content' in node && node.content ? elements(node.content as Node) : [])];
}
const attr = (e: Element, name: string) => e.attrs.find((a) => a.name === name)?.value;
const text = (node: Node): string => ('value' in node && node.nodeName === '#text' ? String(node.value) : 'childNodes' in node ? node.childNodes.map(text).join('') : '');

const FIXTURES = ['mixed.yaml', 'passing.yaml', 'setup-error.yaml'].map((f) => join(ROOT, 'test', 'fixtures', 'scenarios', f));

t.test('the page agrees with the JSON report, shows each failure with its cause, and keeps scenario text as text', async (t) => {
  const dir = scratchDir(t, 'certharness-html-');
  const r = await runCliHere(['run', ...FIXTURES, '--reporter', `html=${join(dir, 'report')}`, '--reporter', `json=${join(dir, 'run.json')}`], { env: { TMPDIR: dir } });
  t.equal(r.code, 1, 'the fixtures fail, as they are meant to');
  const run = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as RunResult;
  const page = readFileSync(join(dir, 'report', 'index.html'), 'utf8');
  const all = elements(parse(page));

  const runCounts = all.find((e) => attr(e, 'id') === 'run-counts')!;
  for (const k of ['passed', 'failed', 'errors', 'skipped', 'todo', 'flaky'] as const) {
    const shown = elements(runCounts).find((e) => attr(e, 'data-count') === k)!;
    t.equal(text(shown), `${run.counts[k]} ${k}`, `${k}: the JSON's count`);
  }
  t.ok(run.counts.failed && run.counts.errors && run.counts.skipped && run.counts.todo && run.counts.flaky, 'every kind of outcome is in the run');

  const rows = all.filter((e) => attr(e, 'class') === 'scenario-row');
  t.same(rows.map((e) => attr(e, 'data-status')), run.scenarios.map((s) => s.status), 'a row per scenario, with its status');
  const mixed = run.scenarios.find((s) => s.title.startsWith('Mixed'))!;
  t.ok(all.some((e) => e.tagName === 'strong' && text(e) === mixed.title), 'the title <&> "quotes" is shown as written');
  t.notOk(all.some((e) => e.tagName === 'xml'), 'and never becomes markup');
  t.equal(all.filter((e) => e.tagName === 'script').length, 1, "one script: the page's own");
  t.ok(all.some((e) => attr(e, 'href')?.startsWith('http')) === false, 'nothing fetched or linked off the machine');

  const failed = mixed.steps.find((s) => s.status === 'failed')!;
  const failure = all.filter((e) => attr(e, 'class') === 'step failed').find((e) => text(e).includes(failed.name))!;
  t.ok(failure, 'the failed step is shown as failed');
  t.match(text(failure), failed.assertions.find((a) => !a.ok)!.message, 'with the expectation it missed');
  t.match(text(failure), `Cause: ${failed.cause}`, 'and its cause');
  t.match(attr(elements(failure).find((e) => attr(e, 'class') === 'src')!, 'href'), /fixtures\/scenarios\/mixed\.yaml#L\d+$/, 'and a link to its line');
  const setup = run.scenarios.find((s) => s.problems.length)!;
  t.ok(all.some((e) => attr(e, 'class') === 'problem' && text(e).includes(setup.problems[0]!.message)), 'a setup problem is shown with its message');
  t.ok(all.filter((e) => e.tagName === 'details' && attr(e, 'open') !== undefined).length >= 2, 'failed scenarios are open');

  const again = await runCliHere(['merge', join(dir, 'run.json'), '--reporter', `html=${join(dir, 'from-json')}`]);
  t.equal(again.code, 1, again.stderr);
  t.equal(readFileSync(join(dir, 'from-json', 'index.html'), 'utf8').replace(/·[^·]*s ·/, ''), page.replace(/·[^·]*s ·/, ''), 'a saved JSON report renders to the same page');
});

t.test('--reporter html needs a directory it can make: one line, exit 2, nothing run', async (t) => {
  const dir = scratchDir(t, 'certharness-html-');
  const bare = await runCliHere(['run', FIXTURES[1]!, '--reporter', 'html']);
  t.equal(bare.code, 2);
  t.match(bare.stderr, /^certharness: --reporter html needs a directory: --reporter html=report \(it writes report\/index\.html\)\n$/);
  const file = join(dir, 'file');
  const { writeFileSync } = await import('node:fs');
  writeFileSync(file, '');
  const blocked = await runCliHere(['run', FIXTURES[1]!, '--reporter', `html=${join(file, 'report')}`]);
  t.equal(blocked.code, 2);
  t.match(blocked.stderr, /^certharness: --reporter html=.*: cannot make the directory .*: ENOTDIR\n$/);
});

t.test('in a real browser: the counts, each failure with its message, the status filter, the keyboard, and no JavaScript needed', async (t) => {
  if (!needPeer(t, BROWSER)) return;
  const dir = scratchDir(t, 'certharness-html-');
  await runCliHere(['run', ...FIXTURES, '--reporter', `html=${join(dir, 'report')}`, '--reporter', `json=${join(dir, 'run.json')}`], { env: { TMPDIR: dir } });
  const run = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as RunResult;
  const r = await checkReportInBrowser(join(dir, 'report'), run, join(dir, 'overview.png'));
  t.same(r.problems, [], 'the page agrees with the run');
  t.match(r.countsShown, new RegExp(`^${run.counts.tests} tests: `), 'the counts line as shown');
  t.ok(readFileSync(join(dir, 'overview.png')).subarray(1, 4).toString() === 'PNG', 'a screenshot of the overview');
});

t.test('the PKI drawn: each certificate under its issuer, with its state in words, and decoded below', async (t) => {
  const dir = scratchDir(t, 'certharness-html-');
  const file = join(dir, 'pki.yaml');
  const { writeFileSync } = await import('node:fs');
  writeFileSync(file, [
    'scenario: a CA, a server and a client',
    'pki:',
    '  ca: { subject: "/CN=Example CA", key: ec-p256 }',
    '  server: { issuer: ca, subject: "/CN=localhost", san: [localhost], key: ec-p256 }',
    '  client: { issuer: ca, subject: "/CN=client", usage: client, key: rsa-2048 }',
    '  old: { issuer: ca, subject: "/CN=old", key: ec-p256, notBefore: -30d, notAfter: -1d }',
    '  gone: { issuer: ca, subject: "/CN=gone", key: ec-p256, revoked: keyCompromise }',
    'steps:',
    '  - exec: "true"',
  ].join('\n') + '\n');
  const r = await runCliHere(['run', file, '--reporter', `html=${join(dir, 'report')}`], { env: { TMPDIR: dir } });
  t.equal(r.code, 0, r.stderr);
  const all = elements(parse(readFileSync(join(dir, 'report', 'index.html'), 'utf8')));
  const svg = all.find((e) => e.tagName === 'svg')!;
  t.equal(attr(svg, 'role'), 'img');
  const rows = elements(svg).filter((e) => e.tagName === 'g');
  const titleOf = (g: Element) => text(elements(g).find((e) => e.tagName === 'title')!);
  t.same(rows.map((g) => titleOf(g).split(':')[0]), ['ca', 'server', 'client', 'old', 'gone'], 'the CA first, then what it issued');
  t.match(titleOf(rows[0]!), /CN=Example CA; ec 256;/, "the key");
  t.match(titleOf(rows[0]!), /; CA; /, 'a CA');
  t.match(titleOf(rows[2]!), /clientAuth/, "the client's purpose");
  t.same(rows.map((g) => attr(g, 'class')), ['cert valid', 'cert valid', 'cert valid', 'cert expired', 'cert revoked'], 'each state');
  t.ok(elements(svg).some((e) => attr(e, 'class') === 'link'), 'lines from issuer to issued');
  const decoded = all.find((e) => attr(e, 'class') === 'pki-details')!;
  t.match(text(decoded), /Subject: CN=localhost/, 'decoded below');
  t.match(text(decoded), /Subject alternative names: .*localhost/);
  t.match(text(decoded), /Revoked/);
});
