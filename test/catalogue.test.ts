// The catalogue of misconfigured endpoints: its data is whole, the bundled scenario is what the
// data generates, and `serve catalogue --json` serves endpoints that a TLS client (Node's own,
// here; curl and openssl in the bundled suite) judges as each case says.
import t from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import https from 'node:https';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, ROOT, firstLine, needPeer, peerMissing, runCliHere, runScenariosHere, scratchDir, validateText } from './helpers.ts';
import { CATALOGUE_CASES, HTTPS_CASES } from '../src/catalogue/cases.ts';
import { catalogueScenario, catalogueScenarioText, SUITE_CLIENTS } from '../src/catalogue/scenario.ts';
import type { RunResult } from '../src/runner/events.ts';

t.test('every case is whole: a unique name, its certificate, and for a rejection what each client prints', async (t) => {
  const names = CATALOGUE_CASES.map((c) => c.name);
  t.equal(new Set(names).size, names.length, 'names are unique');
  for (const c of CATALOGUE_CASES) {
    t.ok(c.pki[`${c.name}-cert`], `${c.name}: serves the PKI item ${c.name}-cert`);
    const heldToRejection = (client: 'curl' | 'openssl' | 'grpc-js') => c.expect === 'reject' && !c.deviations?.[client] && (client === 'grpc-js') === (c.protocol === 'grpc');
    if (heldToRejection('grpc-js')) t.ok(c.grpcTlsError, `${c.name}: says what TLS failure grpc-js meets`);
    if (heldToRejection('curl')) t.ok(c.rejectedWith?.curl, `${c.name}: says what curl prints when it rejects`);
    if (heldToRejection('openssl')) t.ok(c.rejectedWith?.openssl, `${c.name}: says what openssl prints when it rejects`);
    t.ok(c.reason.length > 10 && c.purpose.length > 10, `${c.name}: says what it is and why`);
  }
  t.ok(CATALOGUE_CASES.some((c) => c.expect === 'accept') && CATALOGUE_CASES.some((c) => c.expect === 'reject'), 'cases of both verdicts');
});

t.test('scenarios/000-client-conformance.yaml is what the catalogue generates', async (t) => {
  const committed = readFileSync(join(ROOT, 'scenarios', '000-client-conformance.yaml'), 'utf8');
  t.equal(committed, catalogueScenarioText({ clients: SUITE_CLIENTS }), 'regenerate: node bin/certharness serve catalogue --scenario > scenarios/000-client-conformance.yaml');
});

t.test('serve catalogue takes no arguments: one line, exit 2', async (t) => {
  const r = await runCliHere(['serve', 'catalogue', 'extra']);
  t.equal(r.code, 2);
  t.match(r.stderr, /^certharness: serve catalogue takes no arguments \(got extra\)\n$/);
});

/** A GET with Node's TLS client: the status, or the error code it refused with. */
function get(url: string, servername: string, ca: string): Promise<string> {
  return new Promise((resolve) => {
    const u = new URL(url);
    const req = https.get({ host: '127.0.0.1', port: u.port, path: '/', servername, ca, agent: false }, (res) => {
      res.resume();
      resolve(String(res.statusCode));
    });
    req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
}

/** The page an endpoint serves to a client that got through. */
function body(url: string, servername: string, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    https.get({ host: '127.0.0.1', port: u.port, path: '/', servername, ca, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve(text));
    }).on('error', reject);
  });
}

t.test('serve catalogue --json: each endpoint listens, and Node accepts good and refuses expired and wrong-host for their reasons', async (t) => {
  const dir = scratchDir(t, 'certharness-catalogue-');
  const serve = spawn(process.execPath, [BIN, 'serve', 'catalogue', '--json'], { cwd: ROOT, env: { ...process.env, TMPDIR: dir }, stdio: ['ignore', 'pipe', 'inherit'] });
  const closed = new Promise<number | null>((resolve) => serve.on('close', resolve));
  let stopped = false;
  t.teardown(async () => {
    if (!stopped) serve.kill('SIGINT');
    await closed;
  });
  const world = JSON.parse(await firstLine(serve));
  t.same(Object.keys(world.endpoints), CATALOGUE_CASES.map((c) => c.name), 'an endpoint per case');
  const ca = readFileSync(world.trust.caFile, 'utf8');
  const e = world.endpoints;
  t.equal(e.expired.expect, 'reject');
  t.equal(e.expired.resolve, `expired.catalogue.test:${e.expired.port}:127.0.0.1`, 'the --resolve argument');
  t.equal(await get(e.good.url, e.good.servername, ca), '200', 'good: 200');
  t.match(await body(e.good.url, e.good.servername, ca), /^certharness catalogue: good \(certificate\)\n.*\nA correct client accepts it: /, 'and its page says what it is and what a client must do');
  t.equal(await get(e.expired.url, e.expired.servername, ca), 'CERT_HAS_EXPIRED', 'expired: CERT_HAS_EXPIRED');
  t.equal(await get(e['wrong-host'].url, e['wrong-host'].servername, ca), 'ERR_TLS_CERT_ALTNAME_INVALID', 'wrong-host: ERR_TLS_CERT_ALTNAME_INVALID');
  t.equal(await get(e['untrusted-root'].url, e['untrusted-root'].servername, ca), 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'untrusted-root: UNABLE_TO_VERIFY_LEAF_SIGNATURE (its root is not sent, nor trusted)');
  stopped = true;
  serve.kill('SIGINT');
  t.equal(await closed, 0, 'Ctrl-C is how serve ends: exit 0');
  t.notOk(existsSync(world.workDir), 'and the work directory with its keys is gone');
  t.same(readdirSync(dir), [], 'nothing left in TMPDIR');
});

t.test('clients check: a matrix of real clients against every case, and a JUnit testsuite per client that validates', async (t) => {
  if (!needPeer(t, 'curl') || !needPeer(t, 'python3')) return;
  const dir = scratchDir(t, 'certharness-clients-');
  const junit = join(dir, 'clients.xml');
  const r = await runCliHere(['clients', 'check', '--clients', 'curl,python', '--reporter', `junit=${junit}`, '--reporter', `html=${join(dir, 'report')}`, '--reporter', `json=${join(dir, 'run.json')}`], { env: { TMPDIR: dir } });
  t.equal(r.code, 0, r.stderr);
  const run = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as RunResult;
  t.equal(run.scenarios.filter((s) => s.setupMs).length, 1, 'one world for both clients: its PKI is made once');
  // What each client was given for the expired case: the root's file and the port.
  const given = (s: RunResult['scenarios'][number]) => /(\/\S+\/pki\/root\.crt)\b.*?\b(\d{4,5})\b/s.exec(String(s.steps.find((st) => / rejects expired:/.test(st.name))?.result?.command))?.slice(1);
  t.ok(given(run.scenarios[0]!), 'the report shows what curl was given');
  t.strictSame(given(run.scenarios[0]!), given(run.scenarios[1]!), 'and python was given the same root file and port');
  t.match(r.stdout, /^case +curl +python/m, 'a column per client');
  t.match(r.stdout, /^expired +rejected ok +rejected ok/m, 'expired: both reject, as they must');
  t.match(r.stdout, /^cn-only +accepted ~ +accepted ~/m, "cn-only: both fall back to the CN, a known deviation");
  t.match(r.stdout, /expired \/ curl: curl: \(60\) SSL certificate problem: certificate has expired/, "curl's own words");
  t.match(r.stdout, /expired \/ python: SSLCertVerificationError: .*certificate has expired/, "python's own words");
  const proofs = HTTPS_CASES.filter((c) => c.revocation || c.withholds).length;
  t.ok(proofs >= 4, 'revoked by CRL, by OCSP and by staple, and the CA names a server asks for');
  t.match(r.stdout, new RegExp(`^${(HTTPS_CASES.length + proofs) * 2} passed, 0 failed, 0 errors, 0 skipped \\(2 clients, ${HTTPS_CASES.length} cases, and ${proofs * 2} checks that the cases are what they say\\)$`, 'm'), "the counts: each client's run proves its cases what they say");
  t.match(r.stdout, /^client-cert-unacceptable +accepted ~ +accepted ~/m, 'both present the certificate from another CA, a known deviation');
  t.match(r.stdout, /^revoked-crl +accepted ~ +accepted ~/m, 'neither checks a CRL it is not given');
  const xml = readFileSync(junit, 'utf8');
  t.equal(xml.match(/<testsuite /g)?.length, 2, 'a testsuite per client');
  if (needPeer(t, 'xmllint')) t.equal(spawnSync('xmllint', ['--noout', '--schema', join(ROOT, 'test', 'fixtures', 'junit-10.xsd'), junit]).status, 0, 'the JUnit validates');
  const page = readFileSync(join(dir, 'report', 'index.html'), 'utf8');
  t.match(page, /<table class="matrix">\s*<thead><tr><th scope="col">Case<\/th><th scope="col">curl<\/th><th scope="col">python<\/th><\/tr><\/thead>/, 'the HTML report has the matrix, a column per client');
  t.match(page, /<tr><th scope="row">expired<\/th><td class="cell ok" title="curl: \(60\) SSL certificate problem: certificate has expired">rejected ok<\/td><td class="cell ok" title="SSLCertVerificationError: [^"]*certificate has expired[^"]*">rejected ok<\/td><\/tr>/, "each cell as the console shows it, the refusal in the client's words as its title");
  t.match(page, /<tr><th scope="row">cn-only<\/th><td class="cell deviation">accepted ~<\/td>/, 'a known deviation');
  t.equal(page.match(/<tr><th scope="row">/g)?.length, HTTPS_CASES.length, 'a row per case');
  t.same(readdirSync(dir).filter((f) => !['clients.xml', 'report', 'run.json'].includes(f)), [], 'no work directory left');
});

t.test('clients check --clients wget: wget reaches the named cases through the tunnel and is held to what it does', async (t) => {
  if (!needPeer(t, 'wget')) return;
  const dir = scratchDir(t, 'certharness-clients-');
  const r = await runCliHere(['clients', 'check', '--clients', 'wget'], { env: { TMPDIR: dir } });
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /^good +accepted ok/m, 'a named case, reached through the tunnel');
  t.match(r.stdout, /^ip-san +accepted ok/m, 'a case dialled by address');
  t.match(r.stdout, /wrong-host \/ wget: The certificate's owner does not match hostname 'wrong-host\.catalogue\.test'/, "a refusal in wget's own words, for the name it asked for");
  t.match(r.stdout, /expired \/ wget: ERROR: The certificate of 'expired\.catalogue\.test' has expired\./, 'its last ERROR line says why');
  t.match(r.stdout, /^no-server-auth +accepted ~/m, 'wget names no key purpose: a known deviation');
  t.match(r.stdout, /^revoked-stapled +rejected ok/m, 'GnuTLS acts on the staple');
  t.match(r.stdout, /client-cert-required \/ wget: Failed writing HTTP request: The specified session has been invalidated/, "the server's certificate_required, after the handshake");
  t.match(r.stdout, /^client-cert-presented +accepted ok/m, 'and it presents its certificate when given one');
  t.same(readdirSync(dir), [], 'no work directory left');
});

t.test('clients check for the gRPC clients: grpcio refuses a server that negotiates no ALPN, grpc-js speaks h2 to it anyway', async (t) => {
  if (spawnSync('/usr/bin/python3', ['-c', 'import grpc']).status !== 0) return peerMissing(t, 'python3 with grpc not found: apt-get install python3-grpcio');
  const dir = scratchDir(t, 'certharness-clients-');
  const r = await runCliHere(['clients', 'check', '--clients', 'grpc-python,grpc-js'], { env: { TMPDIR: dir } });
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /^grpc-good +accepted ok +accepted ok/m, 'both call Health on a good server');
  t.match(r.stdout, /^grpc-wrong-host +rejected ok +rejected ok/m, 'both refuse a certificate for another name');
  t.match(r.stdout, /^grpc-no-alpn +rejected ok +accepted ~/m, 'grpcio refuses no ALPN; grpc-js does not check, a known deviation');
  t.match(r.stdout, /grpc-no-alpn \/ grpc-python: StatusCode\.UNAVAILABLE: .*Cannot check peer: missing selected ALPN property/, "C core's own words");
  t.match(r.stdout, /grpc-wrong-host \/ grpc-js: hostname-mismatch: /, "grpc-js's TLS failure beneath UNAVAILABLE");
  t.notMatch(r.stdout, /^(good|expired) /m, 'gRPC clients run the gRPC cases only');
  t.match(r.stdout, /^8 passed, 0 failed, 0 errors, 0 skipped \(2 clients, 3 cases, and 2 checks that the cases are what they say\)$/m, 'and s_client shows, in each run, that grpc-no-alpn negotiates no ALPN');
});

t.test('a grpc-server without ALPN serves TLS only: with client certificates it is bad input at load, one line with its position', async (t) => {
  const r = await validateText(t, 'scenario: no alpn with mTLS\npki:\n  ca: { subject: "CN=A CA", key: ec-p256 }\n  srv: { issuer: ca, subject: "CN=localhost", san: [localhost], usage: server, key: ec-p256 }\nservices:\n  api: { kind: grpc-server, cert: srv, rootCert: ca, alpn: false }\nsteps: []\n', 'no-alpn.yaml');
  t.equal(r.code, 2);
  t.equal(r.stderr, `${r.file}:6:60: services.api.alpn false needs cert, and no plaintext, config or rootCert: the terminator serves TLS without client certificates\n1 problem; nothing was run\n`);
});

t.test("a tunnel that refuses is no refusal of wget's: the expired case fails instead of passing as rejected", async (t) => {
  if (!needPeer(t, 'wget')) return;
  const dir = scratchDir(t, 'certharness-clients-');
  const scenario = catalogueScenario({ clients: ['wget'] }) as { services: Record<string, Record<string, unknown>>; steps: { name: string }[] };
  scenario.services.resolver = { kind: 'tunnel', domains: ['elsewhere.test'] };
  scenario.steps = scenario.steps.filter((s) => s.name.startsWith('wget rejects expired:'));
  t.equal(scenario.steps.length, 1);
  const file = join(dir, 'refusing-tunnel.yaml');
  writeFileSync(file, JSON.stringify(scenario));
  const { result } = await runScenariosHere([file], { env: { TMPDIR: dir } });
  const step = result.scenarios[0]!.steps[0]!;
  t.equal(step.status, 'failed', 'wget says "Unable to establish SSL connection" for the 403 too, which the refusal pattern does not take');
  t.match(String(step.result?.stderr), /Proxy tunneling failed: Forbidden/);
});

t.test('clients: bad input is one line and exit 2', async (t) => {
  const bogus = await runCliHere(['clients', 'check', '--clients', 'curl,gnutsl']);
  t.equal(bogus.code, 2);
  t.match(bogus.stderr, /^certharness: --clients gnutsl: not a client this knows \(did you mean 'gnutls'\?\); one of curl, openssl, python, node, gnutls, java, wget, go, grpc-python, grpc-js\n$/);
  const action = await runCliHere(['clients', 'chek']);
  t.equal(action.code, 2);
  t.match(action.stderr, /^certharness: clients takes one action: check \(not 'chek' \(did you mean 'check'\?\)\)\n$/);
});

t.test('a client that cannot run is no verdict: a broken gnutls-cli fails every case, the rejections too', async (t) => {
  const dir = scratchDir(t, 'certharness-clients-');
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'gnutls-cli'), '#!/bin/sh\necho "gnutls-cli: cannot load libgnutls" >&2\nexit 1\n', { mode: 0o755 });
  const r = await runCliHere(['clients', 'check', '--clients', 'gnutls', '--reporter', `html=${join(dir, 'report')}`], { env: { PATH: `${bin}:${process.env.PATH}`, TMPDIR: dir } });
  t.equal(r.code, 1, 'exit 1');
  t.match(r.stdout, /^good +rejected FAIL/m, 'an accept case: FAIL');
  t.match(r.stdout, /^expired +rejected FAIL/m, 'a reject case: FAIL too, since nothing was refused over TLS');
  t.match(r.stdout, new RegExp(`^${HTTPS_CASES.filter((c) => c.revocation || c.withholds).length} passed, ${HTTPS_CASES.length} failed`, 'm'), 'every case counted as failed (what passed is openssl proving the cases what they say)');
  const page = readFileSync(join(dir, 'report', 'index.html'), 'utf8');
  t.equal(page.match(/<td class="cell fail"[^>]*>rejected FAIL<\/td>/g)?.length, HTTPS_CASES.length, 'the HTML matrix marks every cell a failure');
});

t.test('a catalogue service and step hold a client of your own to the cases: exit 0 accepts, a refusal rejects, and anything else is no verdict', async (t) => {
  if (!needPeer(t, 'curl')) return;
  const dir = scratchDir(t, 'certharness-catalogue-step-');
  const file = join(dir, 'own-client.yaml');
  const curl = `curl -sS --cacert "$CATALOGUE_CA_FILE" --resolve "$CATALOGUE_RESOLVE" "$CATALOGUE_URL"`;
  const step = (name: string, spec: Record<string, unknown>) => ({ name, catalogue: { endpoints: 'cat', cases: ['good', 'expired', 'cn-only'], ...spec } });
  writeFileSync(file, JSON.stringify({
    scenario: 'own client',
    services: { cat: { kind: 'catalogue', cases: ['good', 'expired', 'cn-only', 'wrong-host'] } },
    steps: [
      { name: 'by hand', exec: ['curl', '-sS', '--cacert', '{{cat.caFile}}', '--resolve', '{{cat.wrong-host.resolve}}', '{{cat.wrong-host.url}}'], expect: { exit: 60, stderr: { contains: 'no alternative certificate subject name' } } },
      step('curl, its deviation known', { command: curl, page: true, refusal: 'curl: \\(60\\)', deviations: { 'cn-only': 'curl falls back to the Common Name' } }),
      step('curl, its deviation not known', { command: curl }),
      step('a client that is not there', { command: ['no-such-client-here'] }),
      step('a client that prints nothing', { command: 'true', page: true, cases: ['good'] }),
      step('a failure for another reason', { command: 'echo "could not read the configuration" >&2; exit 1', refusal: 'SSL certificate problem', cases: ['expired'] }),
    ],
  }));
  const { result } = await runScenariosHere([file], { env: { TMPDIR: dir } });
  const steps = result.scenarios[0]!.steps;
  const unexpected = (i: number) => (steps[i]!.result?.unexpected as string[] | undefined) ?? [];
  t.equal(steps[0]!.status, 'passed', 'a {{cat.<case>.url}} reaches the case');
  t.equal(steps[1]!.status, 'passed', `known deviation: ${steps[1]!.assertions.map((a) => a.message).join('; ')}`);
  t.same(steps[1]!.result?.accepted, ['good', 'cn-only']);
  t.same(steps[1]!.result?.rejected, ['expired']);
  t.match(steps[1]!.result?.deviations, [/^cn-only: accepted \(exit 0\); known deviation: curl falls back/]);
  t.equal(steps[2]!.status, 'failed', 'an unknown deviation fails');
  t.match(unexpected(2), [/^cn-only: accepted \(exit 0\); a correct client rejects it: RFC 9525/]);
  t.equal(steps[3]!.status, 'failed', 'a missing program');
  t.match(unexpected(3), [/^good: no verdict \(ENOENT/, /^expired: no verdict \(ENOENT/, /^cn-only: no verdict/], 'is no verdict, the rejections too');
  t.match(unexpected(4), [/^good: no verdict \(exit 0 without the case's page on stdout/], 'exit 0 without the page is no acceptance');
  t.match(unexpected(5), [/^expired: no verdict \(exit 1 without a refusal matching SSL certificate problem: could not read the configuration\)/], 'a failure for another reason is no rejection');
  t.same(readdirSync(dir).filter((f) => f !== 'own-client.yaml'), [], 'no work directory left');
});

t.test('client-cert-unacceptable is judged on what the server saw: presented, withheld, or skipped without the page', async (t) => {
  if (!needPeer(t, 'curl')) return;
  const dir = scratchDir(t, 'certharness-catalogue-step-');
  const file = join(dir, 'withholds.yaml');
  const curl = (cert: boolean) => `curl -sS --cacert "$CATALOGUE_CA_FILE" --resolve "$CATALOGUE_RESOLVE" ${cert ? '--cert "$CATALOGUE_CLIENT_CERT" --key "$CATALOGUE_CLIENT_KEY" ' : ''}"$CATALOGUE_URL"`;
  const step = (name: string, spec: Record<string, unknown>) => ({ name, catalogue: { endpoints: 'cat', cases: ['good', 'client-cert-unacceptable'], page: true, ...spec } });
  writeFileSync(file, JSON.stringify({
    scenario: 'what the client sends',
    services: { cat: { kind: 'catalogue', cases: ['good', 'client-cert-unacceptable'] } },
    steps: [
      step('curl sends the certificate, a known deviation', { command: curl(true), deviations: { 'client-cert-unacceptable': 'curl sends the --cert it is given' } }),
      step('curl sends it, not known', { command: curl(true) }),
      step('a client that withholds it', { command: curl(false) }),
      step('withholding it where the deviation says it sends it', { command: curl(false), deviations: { 'client-cert-unacceptable': 'sends it' } }),
      step('without the page', { command: curl(true), page: false }),
    ],
  }));
  const { result } = await runScenariosHere([file], { env: { TMPDIR: dir } });
  const steps = result.scenarios[0]!.steps;
  t.equal(steps[0]!.status, 'passed', 'the known deviation');
  t.same(steps[0]!.result?.presented, ['client-cert-unacceptable'], 'presented');
  t.equal(steps[1]!.status, 'failed', 'an unknown deviation fails');
  t.match(steps[1]!.result?.unexpected, [/^client-cert-unacceptable: presented \(exit 0, and the server saw its stranger certificate\); a correct client accepts it without its stranger certificate: RFC 8446/]);
  t.equal(steps[2]!.status, 'passed', 'withholding it is correct');
  t.same(steps[2]!.result?.presented, []);
  t.equal(steps[3]!.status, 'failed', 'a deviation that did not happen fails');
  t.equal(steps[4]!.status, 'passed', 'without the page, good alone is judged');
  t.same(steps[4]!.result?.accepted, ['good']);
  t.match(steps[4]!.result?.skipped, [/^client-cert-unacceptable: judged on the page's line that says what client certificate the server saw: add page: true/]);
});

t.test('the catalogue step: a case the service does not serve, or not a case at all, is one line at load', async (t) => {
  const dir = scratchDir(t, 'certharness-catalogue-step-');
  const write = (name: string, cases: string, deviations: string) => {
    writeFileSync(join(dir, name), `scenario: bad\nservices:\n  cat: { kind: catalogue, cases: [${cases}] }\nsteps:\n  - catalogue: { endpoints: cat, command: "true", deviations: { ${deviations}: why } }\n`);
    return join(dir, name);
  };
  const service = await runCliHere(['validate', write('service.yaml', 'good, expird', 'cn-only')]);
  t.equal(service.code, 2);
  t.match(service.stderr, /^\S*service\.yaml:3:\d+: services\.cat\.cases\[1\] must be one of good, expired, .*\(did you mean 'expired'\?\)\n/);
  const step = await runCliHere(['validate', write('step.yaml', 'good', 'cn-onyl')]);
  t.equal(step.code, 2);
  t.match(step.stderr, /^\S*step\.yaml:5:\d+: steps\[0\] \(catalogue\): deviations names cn-onyl, which is not a case of the catalogue/);
  // Nothing to accept and no refusal to recognise: a client that cannot connect would pass.
  writeFileSync(join(dir, 'uncontrolled.yaml'), 'scenario: bad\nservices:\n  cat: { kind: catalogue }\nsteps:\n  - catalogue: { endpoints: cat, command: "false", cases: [expired, wrong-host] }\n');
  const uncontrolled = await runCliHere(['validate', join(dir, 'uncontrolled.yaml')]);
  t.equal(uncontrolled.code, 2);
  t.match(uncontrolled.stderr, /^\S*uncontrolled\.yaml:5:\d+: steps\[0\] \(catalogue\): every case it runs is one to reject and there is no refusal/);
});

t.test("the catalogue examples of the README and docs/catalogue.md run and pass, with curl and wget as the clients", async (t) => {
  if (!needPeer(t, 'curl') || !needPeer(t, 'wget')) return;
  const dir = scratchDir(t, 'certharness-catalogue-docs-');
  const examples = ['README.md', 'docs/catalogue.md'].flatMap((doc) =>
    [...readFileSync(join(ROOT, doc), 'utf8').matchAll(/```yaml\n([^]*?)```/g)].map((m) => m[1]!).filter((b) => /^\s+(- )?catalogue:$|kind: tunnel/m.test(b)).map((b, i) => ({ doc, file: join(dir, `${doc.replace(/\W/g, '-')}-${i}.yaml`), text: b })),
  );
  t.equal(examples.length, 3, "one in the README, and the docs' curl and wget");
  for (const e of examples) writeFileSync(e.file, e.text);
  const { result, failures } = await runScenariosHere(examples.map((e) => e.file), { env: { TMPDIR: dir } });
  t.same(failures, [], 'every step passes');
  t.equal(result.counts.passed, 4, 'the steps ran');
});
