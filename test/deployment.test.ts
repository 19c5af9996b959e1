// The operator's mode: the bundled 001-deployment-check scenario run with --target and --pki
// against a deployment certharness did not start (the real nginx as an mTLS terminator, in its
// own process, with a PKI made by the real openssl). A correct deployment passes; one that does
// not require client certificates fails on exactly that step; bad overrides are bad input.
import t from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, ROOT, firstLine, needPeer, runCli, runCliHere, sh, tempDir } from './helpers.ts';
import { daemonPort } from '../src/net/daemon-port.ts';

const SCENARIO = join(ROOT, 'scenarios', '001-deployment-check.yaml');

/**
 * The operator's PKI, made as document 001 makes it: openssl, a CA, a server and a client
 * certificate. With `publicServerCa`, the server certificate comes from another CA (as a public
 * certificate in front of a private client CA does).
 */
function operatorPki(dir: string, publicServerCa = false): void {
  const run = (argv: string[]) => {
    const r = sh(argv, { cwd: dir });
    if (r.code !== 0) throw new Error(`${argv.join(' ')}: ${r.stderr}`);
  };
  const newCa = (name: string, cn: string) => run(['openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.crt`, '-subj', `/CN=${cn}`, '-days', '30']);
  newCa('ca', 'Operator CA');
  if (publicServerCa) newCa('public-ca', 'Public Server CA');
  for (const [name, cn, eku, san, ca] of [
    ['server', 'localhost', 'serverAuth', 'DNS:localhost,IP:127.0.0.1', publicServerCa ? 'public-ca' : 'ca'],
    ['client', 'operator-client', 'clientAuth', 'DNS:operator-client', 'ca'],
  ] as const) {
    run(['openssl', 'req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`]);
    writeFileSync(join(dir, `${name}.ext`), `basicConstraints=CA:FALSE\nextendedKeyUsage=${eku}\nsubjectAltName=${san}\n`);
    run(['openssl', 'x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-days', '30', '-extfile', `${name}.ext`, '-out', `${name}.crt`]);
  }
}

/** nginx terminating mTLS with the operator's files, started by `certharness serve` in a process of its own. */
async function deployment(t: { teardown(fn: () => Promise<void>): void }, dir: string, verifyClient: 'on' | 'optional'): Promise<string> {
  const file = join(dir, `deploy-${verifyClient}.yaml`);
  writeFileSync(
    file,
    `scenario: the operator's deployment
pki:
  ca: { certFile: ca.crt, keyFile: ca.key }
  server: { certFile: server.crt, keyFile: server.key }
services:
  api: { kind: nginx, role: terminator, cert: server, clientCa: ca, verifyClient: ${verifyClient} }
steps: []
`,
  );
  const child: ChildProcess = spawn(process.execPath, [BIN, 'serve', file, '--json'], { cwd: dir });
  t.teardown(() => new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : (child.on('close', () => resolve()), child.kill('SIGINT')))));
  const world = JSON.parse(await firstLine(child));
  return world.services.api.url as string;
}

interface CheckRun {
  code: number | null;
  stdout: string;
  url: string;
  junit: string;
  html: string;
  scenario: { targets?: Record<string, string>; pkiFiles?: Record<string, string>; steps: { name: string; status: string; reason?: string }[] };
}

/** 001-deployment-check against nginx with the operator's PKI, through --target and these --pki overrides. */
async function checkDeployment(t: Parameters<typeof needPeer>[0] & Parameters<typeof deployment>[0], verifyClient: 'on' | 'optional', pki: string[], publicServerCa = false, inProcessOfItsOwn = false): Promise<CheckRun | undefined> {
  if (!needPeer(t, 'openssl') || !needPeer(t, 'nginx') || !needPeer(t, 'curl')) return undefined;
  const dir = tempDir();
  operatorPki(dir, publicServerCa);
  const url = await deployment(t, dir, verifyClient);
  const [junit, json] = [join(dir, 'report.xml'), join(dir, 'report.json')];
  // The first check runs end to end in a process of its own; the others run in this one.
  const r = await (inProcessOfItsOwn ? runCli : runCliHere)(['run', SCENARIO, '--target', `upstream=${url}`, ...pki.flatMap((p) => ['--pki', p]), '--reporter', 'tap', '--reporter', `junit=${junit}`, '--reporter', `json=${json}`, '--reporter', `html=${join(dir, 'report')}`], { cwd: dir });
  return { code: r.code, stdout: r.stdout, url, junit: readFileSync(junit, 'utf8'), html: readFileSync(join(dir, 'report', 'index.html'), 'utf8'), scenario: JSON.parse(readFileSync(json, 'utf8')).scenarios[0] };
}

const OPERATOR_PKI = ['ca=ca.crt,ca.key', 'client=client.crt,client.key'];

t.test('a deployment that requires client certificates passes the bundled check with the operator\'s CA and client', async (t) => {
  const run = await checkDeployment(t, 'on', OPERATOR_PKI, false, true);
  if (!run) return;
  t.equal(run.code, 0, run.stdout);
  t.match(run.stdout, /# tests 6: passed 6, failed 0, errors 0/);
  t.strictSame(run.scenario.targets, { upstream: run.url }, 'the report says which deployment it checked');
  t.match(run.junit, `<property name="target.upstream" value="${run.url}"/>`);
  t.match(run.scenario.pkiFiles, { ca: /^\/.*\/ca\.crt$/, client: /^\/.*\/client\.crt$/ }, 'and which PKI it loaded, from where');
  t.match(run.html, new RegExp(`<p class="meta" id="run-overrides">Real deployments: upstream=${run.url}\\. PKI loaded from files: ca=/[^,]*/ca\\.crt, client=/[^,]*/client\\.crt\\.</p>`), 'the HTML report says both at the top');
});

t.test('a deployment where client certificates are optional fails on that step, and only on it', async (t) => {
  const run = await checkDeployment(t, 'optional', OPERATOR_PKI);
  if (!run) return;
  t.equal(run.code, 1);
  t.strictSame(
    run.scenario.steps.filter((s) => s.status !== 'passed').map((s) => s.name),
    ['without a client certificate it is refused'],
  );
});

t.test('a server certificate from another CA than the client CA: without its trust the check stops at its first step, naming the fix; with it, it passes', async (t) => {
  const untrusted = await checkDeployment(t, 'on', OPERATOR_PKI, true);
  if (!untrusted) return;
  t.equal(untrusted.code, 1, 'red: no refusal was ever judged by the server');
  const steps = untrusted.scenario.steps;
  t.strictSame(steps.map((s) => s.status), ['failed', 'skipped', 'skipped', 'skipped', 'skipped', 'skipped']);
  t.match(steps[1]!.reason, /^not run: step 1 failed, and the steps after it need it: .*--pki serverTrust=FILE/);
  t.notMatch(untrusted.stdout, /^ok .* is refused/m, 'no refusal step passes');

  const trusted = await checkDeployment(t, 'on', [...OPERATOR_PKI, 'serverTrust=public-ca.crt'], true);
  t.equal(trusted!.code, 0, trusted!.stdout);
  t.match(trusted!.stdout, /# tests 6: passed 6, failed 0, errors 0/);
});

t.test('--pki with a key that is not the certificate\'s is bad input, before anything starts', async (t) => {
  if (!needPeer(t, 'openssl')) return;
  const dir = tempDir();
  operatorPki(dir);
  for (const pair of ['ca=ca.crt,server.key', 'client=client.crt,server.key']) {
    const r = await runCliHere(['run', SCENARIO, '--pki', pair], { cwd: dir });
    t.equal(r.code, 2, pair);
    t.match(r.stderr, new RegExp(`^certharness: --pki ${pair}: server\\.key is not the private key of the certificate \\(key-mismatch`));
    t.equal(r.stderr.split('\n').filter(Boolean).length, 1, 'one line');
  }
  const trustWithKey = await runCliHere(['run', SCENARIO, '--pki', 'serverTrust=ca.crt,ca.key'], { cwd: dir });
  t.equal(trustWithKey.code, 2);
  t.match(trustWithKey.stderr, /serverTrust: it is a trust bundle, which has no key/);
});

t.test("with the CA's certificate alone (no key), what it would issue is skipped with the reason, and the rest still runs", async (t) => {
  const run = await checkDeployment(t, 'on', ['ca=ca.crt', 'client=client.crt,client.key']);
  if (!run) return;
  t.equal(run.code, 0, run.stdout);
  const steps = run.scenario.steps;
  t.strictSame(steps.map((s) => s.status), ['passed', 'passed', 'passed', 'passed', 'skipped', 'skipped']);
  t.equal(steps[4]!.reason, 'needs pki item expired, which cannot be made: its issuer ca was loaded without its private key');
  t.equal(steps[5]!.reason, 'needs pki item serverOnly, which cannot be made: its issuer ca was loaded without its private key');
});

t.test('overrides that cannot apply are bad input; an unreachable deployment is one setup error', async (t) => {
  const dir = tempDir();
  const cases: [string[], RegExp][] = [
    [['--target', 'api=https://127.0.0.1:1'], /^certharness: --target api: no scenario declares a service named api \(services: upstream\)\n$/],
    [['--target', 'upstream=not a url'], /^certharness: --target upstream=not a url: 'not a url' is not a URL/],
    [['--target', 'upstream'], /^certharness: --target upstream: expected NAME=URL/],
    [['--pki', 'client=nope.crt,nope.key'], /^certharness: --pki client=nope\.crt,nope\.key: .*nope\.crt: no such file\n$/],
    [['--pki', 'client=a.crt,a.key,extra'], /^certharness: --pki client=a\.crt,a\.key,extra: expected NAME=CERT or NAME=CERT,KEY/],
    [['--pki', 'client=empty.crt,empty.key'], /^certharness: --pki client=empty\.crt,empty\.key: empty\.crt holds no certificate\n$/],
  ];
  writeFileSync(join(dir, 'empty.crt'), '');
  writeFileSync(join(dir, 'empty.key'), '');
  for (const [args, message] of cases) {
    const r = await runCliHere(['run', SCENARIO, ...args], { cwd: dir });
    t.equal(r.code, 2, args.join(' '));
    t.match(r.stderr, message);
  }
  writeFileSync(join(dir, 'a.crt'), '');
  writeFileSync(join(dir, 'a.key'), '');
  const unknownItem = await runCliHere(['run', SCENARIO, '--pki', 'bundle=a.crt'], { cwd: dir });
  t.equal(unknownItem.code, 2);
  t.match(unknownItem.stderr, /^certharness: --pki bundle: no scenario declares a PKI item named bundle \(items: ca, server, client, other, stranger, expired, serverOnly, serverTrust\)\n$/);

  const closed = await daemonPort('127.0.0.1');
  const json = join(dir, 'down.json');
  const down = await runCli(['run', SCENARIO, '--target', `upstream=https://127.0.0.1:${closed}`, '--reporter', `json=${json}`], { cwd: dir });
  t.equal(down.code, 1);
  const scenario = JSON.parse(readFileSync(json, 'utf8')).scenarios[0];
  t.match(scenario.problems, [{ phase: 'service', message: new RegExp(`cannot connect to 127\\.0\\.0\\.1:${closed}: ECONNREFUSED`) }]);
});
