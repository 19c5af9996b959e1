// The HTML report, read the way a browser reads it (parse5, the WHATWG parser): its counts are
// the JSON report's, each scenario has its row and status, a failure shows its cause, text from
// a scenario stays text, and a saved JSON report renders to the same page.
import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
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

/** Runs one scenario written from `lines` with the HTML and JSON reporters: the run, the page as text and as elements. */
async function renderScenario(t: Parameters<typeof scratchDir>[0], lines: string[]) {
  const dir = scratchDir(t, 'certharness-html-');
  const file = join(dir, 'scenario.yaml');
  writeFileSync(file, lines.join('\n') + '\n');
  const r = await runCliHere(['run', file, '--reporter', `html=${join(dir, 'report')}`, '--reporter', `json=${join(dir, 'run.json')}`], { env: { TMPDIR: dir } });
  const page = readFileSync(join(dir, 'report', 'index.html'), 'utf8');
  return { dir, r, run: JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as RunResult, page, all: elements(parse(page)) };
}

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

  const report = await runCliHere(['report', join(dir, 'run.json'), '--html', join(dir, 'by-report')]);
  t.equal(report.code, 0, 'report renders; the failed run is not its verdict');
  t.match(report.stdout, new RegExp(`^wrote .*by-report/index\\.html: ${run.scenarios.length} scenarios, ${run.counts.tests} tests, ${run.counts.passed} passed, ${run.counts.failed + run.counts.errors} failed\n$`));
  t.equal(readFileSync(join(dir, 'by-report', 'index.html'), 'utf8').replace(/·[^·]*s ·/, ''), page.replace(/·[^·]*s ·/, ''), 'the same page as --reporter html');
  for (const [args, message] of [
    [[join(dir, 'run.json')], /^certharness: report needs --html DIR \(it writes DIR\/index\.html\)\n$/],
    [[join(dir, 'run.json'), join(dir, 'run.json'), '--html', join(dir, 'x')], /is also in .*run\.json; merging would count it twice/],
    [[join(dir, 'nothing.json'), '--html', join(dir, 'x')], /nothing\.json: no such file\n$/],
    [[join(dir, 'run.json'), '--html', join(dir, 'run.json', 'x')], /^certharness: --html .*: cannot make the directory: ENOTDIR\n$/],
  ] as const) {
    const bad = await runCliHere(['report', ...args]);
    t.equal(bad.code, 2, `report ${args.length} arguments: exit 2`);
    t.match(bad.stderr, message);
  }
});

t.test('--reporter html needs a directory it can make: one line, exit 2, nothing run', async (t) => {
  const dir = scratchDir(t, 'certharness-html-');
  const bare = await runCliHere(['run', FIXTURES[1]!, '--reporter', 'html']);
  t.equal(bare.code, 2);
  t.match(bare.stderr, /^certharness: --reporter html needs a directory: --reporter html=report \(it writes report\/index\.html\)\n$/);
  const file = join(dir, 'file');
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
  const { r, all } = await renderScenario(t, [
    'scenario: a CA, a server and a client',
    'pki:',
    '  ca: { subject: "/CN=Example CA", key: ec-p256 }',
    '  server: { issuer: ca, subject: "/CN=localhost", san: [localhost], key: ec-p256, crlDistributionPoints: ["http://127.0.0.1:9/ca.crl"], mustStaple: true }',
    '  client: { issuer: ca, subject: "/CN=client", usage: client, key: rsa-2048 }',
    '  old: { issuer: ca, subject: "/CN=old", key: ec-p256, notBefore: -30d, notAfter: -1d }',
    '  gone: { issuer: ca, subject: "/CN=gone", key: ec-p256, revoked: keyCompromise }',
    'steps:',
    '  - exec: "true"',
  ]);
  t.equal(r.code, 0, r.stderr);
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
  t.match(text(decoded), /Subject Alternative Name: dns:localhost/);
  t.match(text(decoded), /Key Usage: digitalSignature/, 'with the fields openssl x509 -text shows');
  t.match(text(decoded), /Basic Constraints: CA:TRUE/);
  t.match(text(decoded), /Authority Key Identifier: [0-9A-F]{40}/);
  t.match(text(decoded), /CRL Distribution Points: http:\/\/127\.0\.0\.1:9\/ca\.crl/);
  t.match(text(decoded), /TLS Feature: status_request \(Must-Staple\)/);
  t.match(text(decoded), /Revoked/);
});

t.test('what each service and step did with the certificates, the clock moved by the steps, and the work directory', async (t) => {
  const { dir, r, run, page, all } = await renderScenario(t, [
    'scenario: the upstream presents server and trusts ca',
    'pki:',
    '  ca: { subject: "/CN=Example CA", key: ec-p256 }',
    '  server: { issuer: ca, subject: "/CN=localhost", san: [localhost, 127.0.0.1], key: ec-p256 }',
    '  client: { issuer: ca, subject: "/CN=client", usage: client, key: ec-p256 }',
    'services:',
    '  upstream: { kind: upstream, cert: server, clientCa: ca, clientAuth: required }',
    'steps:',
    '  - name: the clock moves to a Monday',
    '    clock: { set: "2027-01-04T09:00:00Z" }',
    '  - name: a call with the client certificate',
    '    https: { url: "{{upstream.url}}/", trust: ca, clientCert: client }',
    '    expect: { status: 200 }',
    '  - name: a program reads the client certificate',
    '    exec: [test, -s, "{{client.certFile}}"]',
    '  - name: the client is revoked',
    '    revoke: { item: client, reason: keyCompromise }',
  ]);
  t.equal(r.code, 0, r.stderr);
  const s = run.scenarios[0]!;
  t.same(s.services, [{ name: 'upstream', kind: 'upstream', usesPki: ['server', 'ca'] }], 'the JSON report names the services and their certificates');
  t.same(s.steps[1]!.usesPki?.slice().sort(), ['ca', 'client'], 'and what each step names');
  t.same(s.steps[0]!.timeline, [{ at: '2027-01-04T09:00:00.000Z', what: 'the clock is set (a monday)' }], "a clock step's moment");
  t.match(s.steps[3]!.timeline, [{ at: '2027-01-04T09:00:00.000Z', what: 'client revoked (keyCompromise)' }], 'a revocation at the moved clock');
  t.ok(s.files?.some((f) => f.path === 'pki/client.key' && f.bytes > 0), 'the files the work directory held, with sizes');
  t.notOk(s.files?.some((f) => f.path === '.owner'), "but not the harness's own marker");

  const ids = all.map((e) => attr(e, 'id')).filter(Boolean);
  t.same(ids.filter((id, i) => ids.indexOf(id) !== i), [], 'no id twice on the page');
  const services = all.find((e) => attr(e, 'class') === 'services')!;
  t.equal(text(services).replace(/\s+/g, ' ').trim(), 'Services: upstream (upstream) with server and ca');
  const rowTitle = (name: string) => text(elements(all.find((e) => e.tagName === 'g' && attr(e, 'data-cert') === name)!).find((e) => e.tagName === 'title')!);
  t.match(rowTitle('server'), /presented by upstream$/, "the server's row says who presents it");
  t.match(rowTitle('ca'), /trusted by upstream$/, "the CA's row, who trusts it");
  const call = all.filter((e) => attr(e, 'class')?.startsWith('step ')).find((e) => text(e).includes('a call with the client certificate'))!;
  const certs = text(elements(call).find((e) => attr(e, 'class') === 'certs')!).replace(/\s+/g, ' ');
  t.match(certs, /ca \(presented by the server\)/, 'the chain the server sent, found by its serials');
  t.match(certs, /server \(presented by the server\)/, 'the certificate the server sent, found by its serial');
  t.match(certs, /client \(presented by the client\)/, 'the one the upstream says it received');
  const reader = all.filter((e) => attr(e, 'class')?.startsWith('step ')).find((e) => text(e).includes('a program reads'))!;
  t.match(text(elements(reader).find((e) => attr(e, 'class') === 'certs')!), /client \(named by the step\)/, 'a certificate a step names and the result does not show');
  const link = elements(call).find((e) => attr(e, 'data-cert') === 'server' && e.tagName === 'a')!;
  t.ok(ids.includes(attr(link, 'href')!.slice(1)), 'each certificate links to its decoded entry');
  const moments = all.find((e) => attr(e, 'class') === 'moments')!;
  const rows = elements(moments).filter((e) => e.tagName === 'tr').slice(1).map((tr) => elements(tr).filter((e) => e.tagName === 'td').map(text));
  t.same(rows, [['2027-01-04 09:00:00Z', '1. the clock moves to a Monday', 'the clock is set (a monday)'], ['2027-01-04 09:00:00Z', '4. the client is revoked', 'client revoked (keyCompromise)']], "the clock's moments, in time order, with their steps");
  const files = all.find((e) => e.tagName === 'details' && attr(e, 'class') === 'files')!;
  t.match(text(files), /pki\/client\.key/, "the work directory's files are listed by name");
  t.notMatch(page, /PRIVATE KEY/, 'and never by content');
  if (!needPeer(t, BROWSER)) return;
  t.same((await checkReportInBrowser(join(dir, 'report'), run)).problems, [], "in a browser, a step's certificate link highlights its row and opens the decoded list");
});

t.test("a simulate step's lifetime is drawn from its result: issuances, lapses and refusals", async (t) => {
  const { dir, r, run, all } = await renderScenario(t, ['scenario: doc-003 against shortlived', 'steps:', '  - simulate: { policy: doc-003, profile: shortlived, from: "2027-01-04T00:00:00Z", days: 14 }', '    expect: { lapses: 2 }']);
  t.equal(r.code, 0, r.stderr);
  const lifetime = run.scenarios[0]!.steps[0]!.result!.lifetime as { certificates: unknown[]; lapses: unknown[] };
  t.equal(lifetime.certificates.length, 2, 'the first certificate and one renewal');
  const chart = all.find((e) => e.tagName === 'svg' && attr(e, 'class') === 'lifetime')!;
  t.ok(chart, 'the chart is on the page');
  t.equal(elements(chart).filter((e) => attr(e, 'class') === 'lapse').length, lifetime.lapses.length, 'a shaded band per lapse');
  t.equal(elements(chart).filter((e) => attr(e, 'class') === 'renewal').length, 1, 'a tick per renewal');
  const points = attr(elements(chart).find((e) => e.tagName === 'polyline')!, 'points')!.split(' ').map((p) => Number(p.split(',')[1]));
  t.equal(Math.min(...points), 30, 'the line starts at the full lifetime');
  t.equal(Math.max(...points), 220, 'and falls to zero in a lapse');

  // A saved report is input: marks and lifetimes it cannot read are left out, and the page is still written.
  const step = run.scenarios[0]!.steps[0]!;
  step.timeline = [{ at: 5, what: {} } as never, { at: 'never', what: 'x' }];
  (step.result!.lifetime as { certificates: unknown[] }).certificates = [null, { issuedAt: 3 }];
  writeFileSync(join(dir, 'odd.json'), JSON.stringify(run));
  const odd = await runCliHere(['report', join(dir, 'odd.json'), '--html', join(dir, 'odd')]);
  t.equal(odd.code, 0, odd.stderr);
  const oddPage = readFileSync(join(dir, 'odd', 'index.html'), 'utf8');
  t.notMatch(oddPage, /class="lifetime"|class="moments"/, 'without the chart or the clock it could not read');
});
