// Document 003's certificate manager: the CLI against our CA with every file it writes read by
// the real openssl; the live pair stays consistent when installation fails or the process is
// killed between writing the files and switching live/; the date rules at their edges.
import t from 'tap';
import { spawn } from 'node:child_process';
import { lstatSync, readFileSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startAcmeServer } from '../src/services/acme/server.ts';
import { defaultAcmeOptions } from '../src/services/acme/config.ts';
import { daemonPort } from '../src/net/daemon-port.ts';
import { installLive, readLive } from '../src/clients/certmanager/live-files.ts';
import { checkPair, isRenewalDay, renewalDue } from '../src/clients/certmanager/policy.ts';
import { runProcess } from '../src/clients/process.ts';
import { generateKey, exportPrivateKey } from '../src/pki/keys.ts';
import { issueCertificate, randomSerial } from '../src/pki/certificate.ts';
import { ROOT, needPeer, runCli, runCliHere, tempDir } from './helpers.ts';
import { X509Certificate } from 'node:crypto';

async function selfSignedPair(cn: string, days = 30, notBefore = new Date()) {
  const key = await generateKey('ec-p256');
  const cert = await issueCertificate({ subject: [['CN', cn]], key, serialHex: randomSerial(), notBefore, notAfter: new Date(notBefore.getTime() + days * 86_400_000), hash: 'sha256', san: [cn], subjectKeyIdentifier: false, authorityKeyIdentifier: false });
  const pem = cert.toString('pem') + '\n';
  return { privkey: exportPrivateKey(key), cert: pem, chain: pem, fullchain: pem };
}

const openssl = (args: string[]) => runProcess(['openssl', ...args], { cwd: ROOT, env: process.env });

t.test('certmanager run through the CLI: ACME over HTTP-01, and openssl reads every file it wrote', async (t) => {
  if (!needPeer(t, 'openssl')) return;
  // The CLI, another process, binds it for the validator.
  const httpPort = await daemonPort('127.0.0.1');
  // One clock for the run: the CA issues at it and the CLI acts at it, so "days left" is exact.
  const issuedAt = new Date(Math.floor(Date.now() / 1000) * 1000);
  const server = await startAcmeServer({ ...defaultAcmeOptions(), clock: () => issuedAt, listenAddress: '127.0.0.1:0', managementListenAddress: '', httpPort, certificateValidityPeriod: 90 * 86_400 });
  t.teardown(() => server.stop());
  const dir = tempDir();
  writeFileSync(join(dir, 'trust.pem'), server.tlsCaPem);
  writeFileSync(join(dir, 'root.pem'), server.rootPem);
  // The CLI runs as a child: our server answers in this process meanwhile (runCli is asynchronous).
  const r = await runCli(['certmanager', 'run', '--server', server.directoryUrl, '--trust', join(dir, 'trust.pem'), '--http-port', String(httpPort), '--http-address', '127.0.0.1', '--config-dir', join(dir, 'le'), '--now', issuedAt.toISOString()], { env: { AIOTES_HOSTNAME: 'aiotes.example.org', AIOTES_SYSADMIN_EMAIL: 'ops@example.org' } });
  t.equal(r.code, 0, r.stderr);
  const live = join(dir, 'le', 'live', 'aiotes');
  const notAfter = new Date(new X509Certificate(readFileSync(join(live, 'cert.pem'))).validTo);
  const daysLeft = Math.floor((notAfter.getTime() - issuedAt.getTime()) / 86_400_000);
  t.equal(daysLeft, 89, '90 days of validity, ending a second before the 90th day');
  t.match(r.stdout, new RegExp(`^issued \\(acme\\): .*live/aiotes, expires .* \\(${daysLeft} days\\)`));
  t.ok(lstatSync(live).isSymbolicLink(), 'live/aiotes is a symlink to the current archive version');
  t.match(readlinkSync(live), /^\.\.\/archive\/aiotes\/1$/);
  const x509 = await openssl(['x509', '-in', join(live, 'cert.pem'), '-noout', '-subject', '-ext', 'subjectAltName']);
  t.match(x509.stdout, /DNS:aiotes\.example\.org/, 'openssl x509 reads cert.pem');
  const certKey = await openssl(['x509', '-in', join(live, 'cert.pem'), '-noout', '-pubkey']);
  const pkey = await openssl(['pkey', '-in', join(live, 'privkey.pem'), '-pubout']);
  t.equal(pkey.exit, 0, 'openssl pkey reads privkey.pem');
  t.equal(pkey.stdout, certKey.stdout, 'privkey.pem is the key of cert.pem');
  const verify = await openssl(['verify', '-CAfile', join(dir, 'root.pem'), '-untrusted', join(live, 'chain.pem'), join(live, 'cert.pem')]);
  t.equal(verify.exit, 0, `chain.pem completes the chain: ${verify.stdout}${verify.stderr}`);
  const full = await openssl(['verify', '-CAfile', join(dir, 'root.pem'), '-untrusted', join(live, 'fullchain.pem'), join(live, 'fullchain.pem')]);
  t.equal(full.exit, 0, 'fullchain.pem verifies');
  t.equal(readFileSync(join(live, 'fullchain.pem'), 'utf8'), readFileSync(join(live, 'cert.pem'), 'utf8') + readFileSync(join(live, 'chain.pem'), 'utf8'), 'fullchain = cert + chain');
  t.equal(statSync(join(live, 'privkey.pem')).mode & 0o777, 0o600, 'privkey.pem is 0600');
  const state = JSON.parse(readFileSync(join(dir, 'le', 'certharness', 'aiotes.json'), 'utf8'));
  t.match(state, { source: 'acme', hostname: 'aiotes.example.org', lastAttempt: { action: 'run', outcome: 'issued' } }, 'the state file records the source and the attempt');
  const status = await runCliHere(['certmanager', 'status', '--hostname', 'aiotes.example.org', '--config-dir', join(dir, 'le'), '--json', '--now', issuedAt.toISOString()]);
  t.equal(status.code, 0);
  t.match(JSON.parse(status.stdout), { source: 'acme', ok: true, renewalDue: false, daysLeft });
  const notMonday = await runCliHere(['certmanager', 'renew', '--hostname', 'aiotes.example.org', '--config-dir', join(dir, 'le'), '--now', '2030-01-01T00:00:00Z']);
  t.match(notMonday.stdout, /^not-today/, 'renew on a Tuesday does nothing');
});

t.test('a failure between writing the files and switching live/ leaves the old pair', async (t) => {
  const dir = tempDir();
  const layout = { configDir: dir, name: 'aiotes' };
  const first = await selfSignedPair('aiotes.example.org');
  await installLive(layout, first);
  const second = await selfSignedPair('aiotes.example.org');
  await t.rejects(installLive(layout, second, { beforeSwitch: async () => Promise.reject(new Error('disk full')) }), /disk full/);
  const live = await readLive(layout);
  t.equal(live.cert, first.cert, 'cert.pem is still the first certificate');
  t.equal(live.privkey, first.privkey, 'privkey.pem is still its key');
  t.ok(checkPair(live, 'aiotes.example.org', new Date()).ok, 'and they match');
  await installLive(layout, second);
  t.equal((await readLive(layout)).cert, second.cert, 'the next installation goes through');
});

t.test('SIGKILL after the files are written and before live/ switches: the old pair stays', async (t) => {
  const dir = tempDir();
  const layout = { configDir: dir, name: 'aiotes' };
  const first = await selfSignedPair('aiotes.example.org');
  await installLive(layout, first);
  const second = await selfSignedPair('aiotes.example.org');
  writeFileSync(join(dir, 'second.json'), JSON.stringify(second));
  const module = pathToFileURL(join(ROOT, 'dist', 'src', 'clients', 'certmanager', 'live-files.js')).href;
  const script = `const { installLive } = await import(${JSON.stringify(module)});
const set = JSON.parse(require('node:fs').readFileSync(${JSON.stringify(join(dir, 'second.json'))}, 'utf8'));
await installLive(${JSON.stringify(layout)}, set, { beforeSwitch: () => { process.stdout.write('written\\n'); return new Promise(() => {}); } });`;
  const child = spawn(process.execPath, ['--input-type=commonjs', '-e', `(async () => { ${script} })()`]);
  await new Promise<void>((resolve) => child.stdout.on('data', (d) => String(d).includes('written') && resolve()));
  const gone = new Promise((resolve) => child.on('close', resolve));
  child.kill('SIGKILL');
  await gone;
  const live = await readLive(layout);
  t.equal(live.cert, first.cert, 'live/ still holds the first certificate');
  t.ok(checkPair(live, 'aiotes.example.org', new Date()).ok, 'with its own key');
  await installLive(layout, second);
  t.equal((await readLive(layout)).cert, second.cert, 'a later run installs the new pair');
});

t.test('the date rules at their edges', async (t) => {
  t.ok(isRenewalDay(new Date('2027-03-01T00:00:00Z'), 'monday'), 'Monday 00:00 UTC is Monday');
  t.notOk(isRenewalDay(new Date('2027-02-28T23:59:59Z'), 'monday'), 'Sunday 23:59:59 UTC is not');
  const notAfter = new Date('2027-03-31T09:00:00Z');
  t.ok(renewalDue(notAfter, new Date('2027-03-01T09:00:01Z'), 30), '29 days and 23:59:59 left: due');
  t.notOk(renewalDue(notAfter, new Date('2027-03-01T09:00:00Z'), 30), 'exactly 30 days left: not due ("less than 30 days")');
  const pair = await selfSignedPair('aiotes.example.org', 10, new Date('2027-01-01T00:00:00Z'));
  t.match(checkPair(pair, 'other.example.org', new Date('2027-01-02T00:00:00Z')).reasons, [/cert\.pem is for DNS:aiotes\.example\.org, not other\.example\.org/]);
  t.match(checkPair(pair, 'aiotes.example.org', new Date('2027-02-01T00:00:00Z')).reasons, [/cert\.pem expired on 2027-01-11/]);
  const other = await selfSignedPair('aiotes.example.org');
  t.match(checkPair({ ...pair, privkey: other.privkey }, 'aiotes.example.org', new Date('2027-01-02T00:00:00Z')).reasons, [/privkey\.pem does not match cert\.pem/]);
  t.match(checkPair({ cert: pair.cert }, 'aiotes.example.org', new Date('2027-01-02T00:00:00Z')).reasons, ['privkey.pem is missing', 'chain.pem is missing']);
  t.match(checkPair({ ...pair, cert: 'not a certificate' }, 'aiotes.example.org', new Date()).reasons, [/cert\.pem does not parse/]);
});

t.test('a scenario must name its CA: no silent Let\'s Encrypt, and a service that is no CA is named', async (t) => {
  const dir = tempDir();
  const file = join(dir, 'no-ca.yaml');
  writeFileSync(file, `scenario: certmanager without a CA
pki:
  server: { subject: "/CN=localhost", san: [localhost] }
services:
  up: { kind: upstream, cert: server }
steps:
  - name: a service that is no CA
    certmanager: { server: up, hostname: aiotes.example.org }
    expect: { error: { code: no-acme-ca, message: { contains: "service up is not an ACME CA" } } }
  - name: no CA at all
    certmanager: { hostname: aiotes.example.org }
    expect: { error: { code: no-acme-ca, message: { contains: "give server: (an acme or pebble service) or directory: (a URL)" } } }
  - name: status reads the files and needs no CA
    certmanager: { hostname: aiotes.example.org, action: status }
    expect: { ok: false, reasons: { contains: "no certificate in the live directory" } }
`);
  const r = await runCli(['run', file, '--reporter', 'tap']);
  t.equal(r.code, 0, r.stdout);
  t.match(r.stdout, /# tests 3: passed 3, failed 0, errors 0/);
});
