// Real ACME clients against our CA: certbot (standalone), lego (--http), dehydrated (with a
// webroot served over HTTP) and the npm acme-client library each obtain a certificate, and
// the chain they were given verifies with `openssl verify` against the root at /roots/0.
import t, { type Test } from 'tap';
import http from 'node:http';
import https from 'node:https';
import { readFileSync, writeFileSync, mkdirSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { runProcess } from '../src/clients/process.ts';
import acme from 'acme-client';
import { startAcmeServer, type RunningAcmeServer } from '../src/services/acme/server.ts';
import { defaultAcmeOptions, type AcmeServerOptions } from '../src/services/acme/config.ts';
import { daemonPort } from '../src/net/daemon-port.ts';
import { ReservedPort } from '../src/net/reserved-port.ts';
import { letsEncryptProfiles } from '../src/services/acme/profiles.ts';
import { validationPorts } from '../src/services/acme/validation-ports.ts';
import { http01Standalone } from '../src/clients/acme/responders.ts';
import { needPeer, tempDir } from './helpers.ts';

/**
 * A CA whose validator connects to a port a client program binds itself (certbot, lego), or to
 * one this process holds, where a server of this test answers.
 */
async function startCa(t: Test, dir: string, answeredBy: 'program' | 'this-process', extra: Partial<AcmeServerOptions> = {}): Promise<{ server: RunningAcmeServer; caFile: string; rootFile: string; httpPort: number }> {
  const ports = answeredBy === 'this-process' ? await validationPorts('127.0.0.1', {}) : { httpPort: await daemonPort('127.0.0.1'), tlsPort: await daemonPort('127.0.0.1'), close: async () => {} };
  t.teardown(ports.close);
  const { httpPort } = ports;
  const server = await startAcmeServer({ ...defaultAcmeOptions(), listenAddress: '127.0.0.1:0', managementListenAddress: '127.0.0.1:0', httpPort, tlsPort: ports.tlsPort, ...extra });
  const caFile = join(dir, 'listener-ca.pem');
  const rootFile = join(dir, 'root.pem');
  writeFileSync(caFile, server.tlsCaPem);
  // The root as a client's operator would get it: from the management interface.
  writeFileSync(rootFile, await managementText(server, '/roots/0'));
  return { server, caFile, rootFile, httpPort };
}

/** A GET of the CA's management interface, over its HTTPS listener. */
function managementText(server: RunningAcmeServer, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    https.get(`${server.managementUrl}${path}`, { ca: server.tlsCaPem }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

/** openssl verify of leaf + served intermediates against the root. */
/** A real client runs as a child while our server answers in this process: never spawnSync here. */
async function run(argv: string[], env: Record<string, string | undefined>, timeoutMs = 120_000) {
  const r = await runProcess(argv, { cwd: tempDir(), env: { ...process.env, ...env }, signal: AbortSignal.timeout(timeoutMs) });
  return { status: r.exit, stdout: r.stdout, stderr: r.stderr };
}

function opensslVerify(t: Test, dir: string, fullchainPem: string, rootFile: string, name: string) {
  const certs = fullchainPem.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----\n?/g) ?? [];
  t.ok(certs.length >= 2, `the chain has the leaf and at least one intermediate (${certs.length})`);
  writeFileSync(join(dir, 'leaf.pem'), certs[0]!);
  writeFileSync(join(dir, 'intermediates.pem'), certs.slice(1).join(''));
  const v = spawnSync('openssl', ['verify', '-CAfile', rootFile, '-untrusted', join(dir, 'intermediates.pem'), join(dir, 'leaf.pem')], { encoding: 'utf8' });
  t.equal(v.status, 0, 'openssl verify accepts the chain against /roots/0', { output: v.stdout + v.stderr });
  const text = spawnSync('openssl', ['x509', '-in', join(dir, 'leaf.pem'), '-noout', '-ext', 'subjectAltName'], { encoding: 'utf8' }).stdout;
  t.match(text, `DNS:${name}`, 'the leaf names what was asked for');
}

t.test('certbot certonly --standalone', async (t) => {
  if (!needPeer(t, 'certbot') || !needPeer(t, 'openssl')) return;
  const dir = tempDir();
  const { server, caFile, rootFile, httpPort } = await startCa(t, dir, 'program');
  t.teardown(() => server.stop());
  const r = await run(
    ['certbot', 'certonly', '--standalone', '--non-interactive', '--agree-tos', '-m', 'a@example.org', '--server', server.directoryUrl, '--http-01-port', String(httpPort), '--http-01-address', '127.0.0.1', '-d', 'certbot.example.org', '--config-dir', join(dir, 'config'), '--work-dir', join(dir, 'work'), '--logs-dir', join(dir, 'logs')],
    { REQUESTS_CA_BUNDLE: caFile },
  );
  const log = existsSync(join(dir, 'logs', 'letsencrypt.log')) ? readFileSync(join(dir, 'logs', 'letsencrypt.log'), 'utf8').split('\n').filter((l) => /error|Error/.test(l)).slice(-5).join('\n') : '';
  t.equal(r.status, 0, 'certbot exits 0', { output: `${r.stdout.slice(-400)}${r.stderr.slice(-800)}\n${log}` });
  const live = join(dir, 'config', 'live', 'certbot.example.org');
  t.ok(existsSync(join(live, 'fullchain.pem')), 'certbot wrote live/<name>/fullchain.pem');
  if (existsSync(join(live, 'fullchain.pem'))) opensslVerify(t, dir, readFileSync(join(live, 'fullchain.pem'), 'utf8'), rootFile, 'certbot.example.org');
  if (!existsSync(join(live, 'cert.pem'))) return;

  // certbot revoke: the serial is on the CA's CRL (management /crls/0) with the reason certbot sent.
  const revoke = await run(
    ['certbot', 'revoke', '--non-interactive', '--cert-path', join(live, 'cert.pem'), '--reason', 'keycompromise', '--no-delete-after-revoke', '--server', server.directoryUrl, '--config-dir', join(dir, 'config'), '--work-dir', join(dir, 'work'), '--logs-dir', join(dir, 'logs')],
    { REQUESTS_CA_BUNDLE: caFile },
  );
  t.equal(revoke.status, 0, 'certbot revoke exits 0', { output: revoke.stdout.slice(-400) + revoke.stderr.slice(-800) });
  writeFileSync(join(dir, 'ca.crl'), await managementText(server, '/crls/0'));
  const serial = spawnSync('openssl', ['x509', '-in', join(live, 'cert.pem'), '-noout', '-serial'], { encoding: 'utf8' }).stdout.trim().replace(/^serial=/, '');
  const crlText = spawnSync('openssl', ['crl', '-in', join(dir, 'ca.crl'), '-noout', '-text'], { encoding: 'utf8' }).stdout;
  t.match(crlText, new RegExp(`Serial Number: 0*${serial.replace(/^0+/, '')}\\s+Revocation Date: .*\\s+CRL entry extensions:\\s+X509v3 CRL Reason Code:\\s+Key Compromise`, 'i'), 'openssl crl lists the serial, with Key Compromise');
});

t.test('lego --http run', async (t) => {
  if (!needPeer(t, 'lego') || !needPeer(t, 'openssl')) return;
  const dir = tempDir();
  const { server, caFile, rootFile, httpPort } = await startCa(t, dir, 'program');
  t.teardown(() => server.stop());
  const r = await run(['lego', '--accept-tos', '--email', 'a@example.org', '--server', server.directoryUrl, '--http', '--http.port', `127.0.0.1:${httpPort}`, '--domains', 'lego.example.org', '--path', join(dir, 'lego'), 'run'], { LEGO_CA_CERTIFICATES: caFile });
  t.equal(r.status, 0, 'lego exits 0', { output: r.stderr.slice(-1200) });
  const crt = join(dir, 'lego', 'certificates', 'lego.example.org.crt');
  t.ok(existsSync(crt), 'lego wrote certificates/<name>.crt (leaf + chain)');
  if (existsSync(crt)) opensslVerify(t, dir, readFileSync(crt, 'utf8'), rootFile, 'lego.example.org');
});

t.test("lego 4.9 (Debian's, before profiles and ARI) against Let's Encrypt's profiles: its order names none and gets classic, for TLS servers only", async (t) => {
  if (!needPeer(t, 'lego') || !needPeer(t, 'openssl')) return;
  const dir = tempDir();
  const now = new Date();
  const { server, caFile, httpPort } = await startCa(t, dir, 'program', { profilePreset: 'letsencrypt', clock: () => now });
  t.teardown(() => server.stop());
  const r = await run(['lego', '--accept-tos', '--email', 'a@example.org', '--server', server.directoryUrl, '--http', '--http.port', `127.0.0.1:${httpPort}`, '--domains', 'profiles.example.org', '--path', join(dir, 'lego'), 'run'], { LEGO_CA_CERTIFICATES: caFile });
  t.equal(r.status, 0, 'lego exits 0 although the directory advertises profiles it does not know', { output: r.stderr.slice(-1200) });
  const crt = join(dir, 'lego', 'certificates', 'profiles.example.org.crt');
  if (!existsSync(crt)) return;
  const text = spawnSync('openssl', ['x509', '-in', crt, '-noout', '-dates', '-ext', 'extendedKeyUsage'], { encoding: 'utf8' }).stdout;
  const notBefore = Date.parse(/notBefore=(.*)/.exec(text)?.[1] ?? '');
  const notAfter = Date.parse(/notAfter=(.*)/.exec(text)?.[1] ?? '');
  const classic = letsEncryptProfiles(now).classic!;
  // notAfter is inclusive (RFC 5280): the last second of the period.
  t.equal(Math.round((notAfter - notBefore) / 1000) + 1, classic.validityPeriod, `classic's validity at the CA's clock (${classic.validityPeriod! / 86400} days)`, { text });
  t.match(text, /TLS Web Server Authentication/, 'serverAuth');
  t.notMatch(text, /Client Authentication/, 'and no clientAuth');
});

t.test("lego meets a rate limit: the second certificate for the same name is refused with rateLimited, and lego says so", async (t) => {
  if (!needPeer(t, 'lego')) return;
  const dir = tempDir();
  const { server, caFile, httpPort } = await startCa(t, dir, 'program', { rateLimits: { duplicateCertificates: { count: 1, periodSeconds: 7 * 86400 } } });
  t.teardown(() => server.stop());
  const lego = () => run(['lego', '--accept-tos', '--email', 'a@example.org', '--server', server.directoryUrl, '--http', '--http.port', `127.0.0.1:${httpPort}`, '--domains', 'limited.example.org', '--path', join(dir, 'lego'), 'run'], { LEGO_CA_CERTIFICATES: caFile });
  const first = await lego();
  t.equal(first.status, 0, 'the first certificate is issued', { output: first.stderr.slice(-1200) });
  const second = await lego();
  t.not(second.status, 0, 'lego fails the second');
  t.match(second.stderr, /rateLimited/, "lego reports the CA's problem type");
  t.match(second.stderr, /too many certificates \(1\) already issued for this exact set of identifiers \(limited\.example\.org\)/, 'and its detail');
});

t.test('dehydrated with a webroot served over HTTP', async (t) => {
  if (!needPeer(t, 'dehydrated') || !needPeer(t, 'openssl') || !needPeer(t, 'curl')) return;
  const dir = tempDir();
  const { server, caFile, rootFile, httpPort } = await startCa(t, dir, 'this-process');
  const wellKnown = join(dir, 'well-known');
  mkdirSync(wellKnown, { recursive: true });
  // dehydrated writes tokens into WELLKNOWN; something else must serve them (its docs: a web server).
  const web = http.createServer((req, res) => {
    const token = (req.url ?? '').replace('/.well-known/acme-challenge/', '');
    const file = join(wellKnown, token);
    if (!/^[A-Za-z0-9_-]+$/.test(token) || !existsSync(file)) return res.writeHead(404).end();
    res.writeHead(200).end(readFileSync(file));
  });
  const detach = ReservedPort.at('127.0.0.1', httpPort)!.attach(web);
  t.teardown(async () => {
    detach();
    web.closeAllConnections();
    await server.stop();
  });
  const config = join(dir, 'config');
  // dehydrated's account key is always RSA, of KEYSIZE bits (4096 by default: a key pair takes
  // 0.5 to 3 s of openssl's CPU here); 2048 is certbot's default.
  writeFileSync(config, [`CA="${server.directoryUrl}"`, `BASEDIR="${dir}/dehydrated"`, `WELLKNOWN="${wellKnown}"`, 'CHALLENGETYPE="http-01"', 'CONTACT_EMAIL="a@example.org"', 'KEY_ALGO=secp384r1', 'KEYSIZE=2048', ''].join('\n'));
  mkdirSync(join(dir, 'dehydrated'));
  const env = { CURL_CA_BUNDLE: caFile };
  const reg = await run(['dehydrated', '--register', '--accept-terms', '-f', config], env);
  t.equal(reg.status, 0, 'dehydrated --register exits 0', { output: reg.stdout.slice(-400) + reg.stderr.slice(-400) });
  const r = await run(['dehydrated', '-c', '-d', 'dehydrated.example.org', '-f', config], env);
  t.equal(r.status, 0, 'dehydrated -c exits 0', { output: r.stdout.slice(-600) + r.stderr.slice(-600) });
  const certDir = join(dir, 'dehydrated', 'certs', 'dehydrated.example.org');
  const fullchain = existsSync(certDir) ? readdirSync(certDir).find((f) => f === 'fullchain.pem') : undefined;
  t.ok(fullchain, 'dehydrated wrote certs/<name>/fullchain.pem');
  if (fullchain) opensslVerify(t, dir, readFileSync(join(certDir, fullchain), 'utf8'), rootFile, 'dehydrated.example.org');
});

t.test('npm acme-client auto()', async (t) => {
  if (!needPeer(t, 'openssl')) return;
  const dir = tempDir();
  const { server, rootFile, httpPort } = await startCa(t, dir, 'this-process');
  const responder = await http01Standalone('127.0.0.1', httpPort);
  t.teardown(async () => {
    await responder.close();
    await server.stop();
  });
  // acme-client talks through axios: trust our listener's CA there.
  const previous = acme.axios.defaults.httpsAgent;
  acme.axios.defaults.httpsAgent = new https.Agent({ ca: server.tlsCaPem });
  t.teardown(() => void (acme.axios.defaults.httpsAgent = previous));
  const client = new acme.Client({ directoryUrl: server.directoryUrl, accountKey: await acme.crypto.createPrivateEcdsaKey(), backoffMin: 50, backoffMax: 500 });
  const [, csr] = await acme.crypto.createCsr({ commonName: 'acme-client.example.org' });
  const cert = await client.auto({
    csr,
    email: 'a@example.org',
    termsOfServiceAgreed: true,
    // Its self-check resolves the name through the system's DNS on port 80, which a loopback test cannot satisfy.
    skipChallengeVerification: true,
    challengePriority: ['http-01'],
    challengeCreateFn: async (authz, challenge, keyAuthorization) => responder.present(authz.identifier as never, challenge.token, keyAuthorization),
    challengeRemoveFn: async (authz, challenge) => responder.cleanup(authz.identifier as never, challenge.token),
  });
  t.ok(responder.hits >= 1, 'our validator fetched the token from the client');
  opensslVerify(t, dir, cert, rootFile, 'acme-client.example.org');
});
