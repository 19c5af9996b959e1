// `certharness gateway check` on fixtures/003/: the good config passes, each broken variant gives
// its one error line with the position, and the real Express Gateway agrees where it can say:
// it refuses the list form and the mismatched key at start, starts on the good config, and
// starts without a word on a damaged ca file.
import t from 'tap';
import { copyFileSync, mkdirSync, writeFileSync, cpSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { generateKey, exportPrivateKey, type PrivateKeyMaterial } from '../src/pki/keys.ts';
import { issueCertificate, randomSerial } from '../src/pki/certificate.ts';
import { x509 } from '../src/pki/crypto.ts';
import { npmPeerDir } from '../src/runtime/index.ts';
import { startDaemon, waitForPort } from '../src/clients/daemon.ts';
import { daemonPort } from '../src/net/daemon-port.ts';
import { ROOT, needPeer, runCli, runCliHere, tempDir } from './helpers.ts';

const DAY = 86_400_000;

async function ca(cn: string) {
  const key = await generateKey('ec-p256');
  const cert = await issueCertificate({ subject: [['CN', cn]], key, serialHex: randomSerial(), notBefore: new Date(Date.now() - DAY), notAfter: new Date(Date.now() + 3650 * DAY), hash: 'sha256', basicConstraints: { ca: true }, keyUsage: ['keyCertSign', 'cRLSign'], subjectKeyIdentifier: true, authorityKeyIdentifier: false });
  return { key, cert };
}

async function leaf(issuer: { key: PrivateKeyMaterial; cert: x509.X509Certificate }, o: { days: number; start?: number }) {
  const key = await generateKey('ec-p256');
  const notBefore = new Date(Date.now() + (o.start ?? -1) * DAY);
  const cert = await issueCertificate({ subject: [['CN', 'aiotes.example.org']], key, issuer: { subject: issuer.cert.subjectName, key: issuer.key, certificate: issuer.cert }, serialHex: randomSerial(), notBefore, notAfter: new Date(notBefore.getTime() + o.days * DAY), hash: 'sha256', san: ['aiotes.example.org'], extendedKeyUsage: ['serverAuth'], subjectKeyIdentifier: true, authorityKeyIdentifier: true });
  return { key: exportPrivateKey(key), cert: cert.toString('pem') + '\n', chain: issuer.cert.toString('pem') + '\n' };
}

/** The files every fixture refers to, relative to the returned directory. */
async function world(): Promise<string> {
  const dir = tempDir();
  const root = await ca('Gateway Test CA');
  const other = await ca('Some Other CA');
  const put = (sub: string, pair: { key: string; cert: string; chain: string }) => {
    mkdirSync(join(dir, sub), { recursive: true });
    writeFileSync(join(dir, sub, 'privkey.pem'), pair.key, { mode: 0o600 });
    writeFileSync(join(dir, sub, 'cert.pem'), pair.cert);
    writeFileSync(join(dir, sub, 'chain.pem'), pair.chain);
  };
  put('live/aiotes', await leaf(root, { days: 90 }));
  put('other', await leaf(other, { days: 90 }));
  put('expired', await leaf(root, { days: 10, start: -40 }));
  mkdirSync(join(dir, 'damaged'));
  // A CERTIFICATE block whose DER is cut short, as a bad copy-and-paste leaves it.
  writeFileSync(join(dir, 'damaged', 'chain.pem'), root.cert.toString('pem').replace(/\n[A-Za-z0-9+/=]+\n-----END/, '\n-----END') + '\n');
  for (const f of ['gateway.config.yml', 'gateway-list-form.yml', 'gateway-no-default.yml', 'gateway-mismatch.yml', 'gateway-missing-file.yml', 'gateway-expired.yml', 'gateway-wrong-chain.yml', 'gateway-damaged-chain.yml', 'gateway-wrong-host.yml']) copyFileSync(join(ROOT, 'fixtures', '003', f), join(dir, f));
  return dir;
}

t.test('gateway check: the good config, and one error per broken variant', async (t) => {
  const dir = await world();
  // One end-to-end run of the command in a process of its own; the variants run in this one.
  const check = (file: string, ...extra: string[]) => runCliHere(['gateway', 'check', join(dir, file), '--cwd', dir, '--quiet', ...extra]);
  const good = await runCli(['gateway', 'check', join(dir, 'gateway.config.yml'), '--cwd', dir, '--quiet', '--host', 'aiotes.example.org']);
  t.equal(good.code, 0, good.stdout);
  t.equal(good.stdout, '', 'nothing to say with --quiet');
  const cases: [string, RegExp, number][] = [
    ['gateway-list-form.yml', /gateway-list-form\.yml:6:5: error: https\.tls is a list: Express Gateway 1\.16 refuses it \("data\.https\.tls should be object"\)/, 1],
    ['gateway-mismatch.yml', /gateway-mismatch\.yml:6:12: error: https\.tls\["default"\]: the key does not match the certificate: Express Gateway fails to start \("key values mismatch"\)/, 1],
    ['gateway-missing-file.yml', /gateway-missing-file\.yml:6:12: error: https\.tls\["default"\]\.key: \/var\/lib\/certs\/live\/aiotes\/privkey\.pem: no such file/, 1],
    ['gateway-expired.yml', /gateway-expired\.yml:7:13: error: https\.tls\["default"\]: the certificate expired on /, 1],
    ['gateway-wrong-chain.yml', /gateway-wrong-chain\.yml:8:11: error: https\.tls\["default"\]: nothing in ca issued the certificate \(issuer CN=Gateway Test CA\)/, 1],
    ['gateway-damaged-chain.yml', /gateway-damaged-chain\.yml:9:12: error: https\.tls\["default"\]\.ca\[\]: .*damaged\/chain\.pem: certificate 1 cannot be parsed; Node ignores it silently/, 1],
    ['gateway-no-default.yml', /gateway-no-default\.yml:5:5: warning: no "default" entry/, 0],
    ['gateway-wrong-host.yml', /gateway-wrong-host\.yml:5:5: error: https\.tls\["api\.example\.org"\]: the certificate does not cover names matching "api\.example\.org": every client connecting by such a name will refuse it/, 1],
  ];
  for (const [file, line, code] of cases) {
    const r = await check(file);
    t.equal(r.code, code, `${file}: exit ${code}`);
    t.match(r.stdout, line, `${file}: ${line.source.slice(0, 60)}...`);
  }
  const noDefault = await check('gateway-no-default.yml', '--host', 'aiotes.internal');
  t.match(noDefault.stdout, /error: a client dialling aiotes\.internal gets no certificate: no glob matches and there is no "default"/);
  const wrongHost = await check('gateway.config.yml', '--host', 'api.example.org');
  t.equal(wrongHost.code, 1);
  t.match(wrongHost.stdout, /api\.example\.org selects https\.tls\["default"\], whose certificate is for DNS:aiotes\.example\.org, not api\.example\.org/);
  writeFileSync(join(dir, 'broken.yml'), 'https:\n  tls: [\n');
  const broken = await runCliHere(['gateway', 'check', join(dir, 'broken.yml')]);
  t.equal(broken.code, 2, 'a file that is not YAML is bad input');
  t.match(broken.stderr, /^certharness: .*broken\.yml:\d+:\d+: not YAML: /);
  t.equal(broken.stderr.trim().split('\n').length, 1, 'in one line');
  const missing = await runCliHere(['gateway', 'check', join(dir, 'nope.yml')]);
  t.equal(missing.code, 2);
  t.match(missing.stderr, /nope\.yml: no such file/);
});

t.test('the real Express Gateway agrees: it refuses the list form and the mismatched key, and starts on the good config', async (t) => {
  if (!needPeer(t, 'npm:express-gateway')) return;
  const pkg = npmPeerDir('express-gateway', process.env)!;
  const dir = await world();
  const start = async (fixture: string) => {
    const configDir = join(dir, `eg-${fixture}`);
    cpSync(join(pkg, 'lib', 'config', 'models'), join(configDir, 'models'), { recursive: true });
    const { parse } = await import('yaml');
    const cfg = parse((await import('node:fs')).readFileSync(join(dir, fixture), 'utf8'));
    const port = await daemonPort('127.0.0.1');
    cfg.https.port = port;
    cfg.https.host = '127.0.0.1';
    Object.assign(cfg, { admin: { port: await daemonPort('127.0.0.1'), host: '127.0.0.1' }, apiEndpoints: { api: { host: '*' } }, policies: ['terminate'], pipelines: { p: { apiEndpoints: ['api'], policies: [{ terminate: [{ action: { statusCode: 200, message: 'ok' } }] }] } } });
    writeFileSync(join(configDir, 'gateway.config.yml'), stringify(cfg));
    writeFileSync(join(configDir, 'system.config.yml'), stringify({ db: { redis: { emulate: true } }, crypto: { cipherKey: 'k', algorithm: 'aes256', saltRounds: 10 }, session: { secret: 's', resave: false, saveUninitialized: false }, accessTokens: { timeToExpiry: 1000 }, refreshTokens: { timeToExpiry: 1000 }, authorizationCodes: { timeToExpiry: 1000 } }));
    const d = startDaemon(['node', '-e', `require(${JSON.stringify(pkg)})().load(${JSON.stringify(configDir)}).run()`], { cwd: dir, env: process.env });
    const started = await waitForPort(d, '127.0.0.1', port, 30_000).then(() => true, () => false);
    const output = d.output();
    await d.stop();
    return { started, output };
  };
  const good = await start('gateway.config.yml');
  t.ok(good.started, 'the good config: the gateway listens');
  const list = await start('gateway-list-form.yml');
  t.notOk(list.started, 'the list form: it does not start');
  t.match(list.output, /data\.https\.tls should be object/, 'and says why, as gateway check does');
  const mismatch = await start('gateway-mismatch.yml');
  t.notOk(mismatch.started, 'a mismatched key: it does not start');
  t.match(mismatch.output, /key values mismatch/i);
  const damaged = await start('gateway-damaged-chain.yml');
  t.ok(damaged.started, 'a damaged ca file: it starts all the same, which is why gateway check calls it an error');
});
