// The crl service and the revoke step, with openssl as the relying party (-crl_download reads
// the distribution point in the certificate), and requests that must fail alone.
import t from 'tap';
import { spawn } from 'node:child_process';
import net from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, ROOT, firstLine, needPeer, runCli, scratchDir } from './helpers.ts';
import { buildPki, type CertificateItem } from '../src/pki/build.ts';
import { publishCrlFiles } from '../src/pki/crl-files.ts';
import { Revocations } from '../src/pki/revocations.ts';
import { x509 } from '../src/pki/crypto.ts';

t.test('openssl downloads the CRL the certificate names: valid, then revoked after the revoke step', async (t) => {
  if (!needPeer(t, 'openssl') || !needPeer(t, 'curl')) return;
  const r = await runCli(['run', 'test/fixtures/scenarios/crl-service.yaml', '--reporter', 'tap']);
  t.equal(r.code, 0, r.stdout);
  t.match(r.stdout, /# tests 6: passed 6, failed 0/);
});

/** Sends raw bytes (without half-closing, as clients do) and returns what came back before the server closed. */
function raw(port: number, bytes: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let got = '';
    socket.setTimeout(10_000, () => socket.destroy()); // a bound for a server that hangs, not a wait
    socket.on('data', (d) => (got += d));
    socket.on('close', () => resolve(got));
    socket.on('error', () => resolve(got));
    socket.write(bytes);
  });
}

t.test('odd requests get an answer each, and the service keeps serving', async (t) => {
  const dir = scratchDir(t, 'certharness-crl-');
  const file = join(dir, 'serve.yaml');
  writeFileSync(file, 'scenario: crl\npki:\n  ca: { subject: "/CN=CA", key: ec-p256 }\nservices:\n  crl: { kind: crl }\nsteps: []\n');
  const serve = spawn(process.execPath, [BIN, 'serve', file, '--json'], { cwd: ROOT, env: { ...process.env, TMPDIR: dir }, stdio: ['ignore', 'pipe', 'inherit'] });
  const served = new Promise((resolve) => serve.on('close', resolve));
  t.teardown(async () => {
    serve.kill('SIGINT');
    await served;
  });
  const { port } = JSON.parse(await firstLine(serve)).services.crl;
  t.match(await raw(port, 'POST /ca.crl HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n'), /^HTTP\/1\.1 405/, 'POST: 405');
  t.match(await raw(port, `GET /${'../'.repeat(50)}etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`), /^HTTP\/1\.1 404/, 'a path outside: 404');
  t.match(await raw(port, `GET /${'a'.repeat(10_000)}.crl HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`), /^HTTP\/1\.1 404/, 'a long name: 404');
  t.match(await raw(port, 'NOT HTTP AT ALL\r\n\r\n'), /^HTTP\/1\.1 400/, 'garbage: 400');
  t.match(await raw(port, 'HEAD /ca.crl HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'), /^HTTP\/1\.1 200[^]*content-type: application\/pkix-crl/i, 'HEAD: 200 with the type');
  t.match(await raw(port, 'GET /ca.crl HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'), /^HTTP\/1\.1 200/, 'and GET still works');
});

t.test('crlFile: a CA item names the CRL it issues, what it issued names the same file, and a revocation rewrites it', async (t) => {
  const dir = scratchDir(t);
  const pki = await buildPki(
    {
      ca: { kind: 'default', spec: { subject: 'CN=File CA', key: 'ec-p256' } },
      leaf: { kind: 'default', spec: { issuer: 'ca', subject: 'CN=leaf', key: 'ec-p256', usage: 'client' } },
      loner: { kind: 'default', spec: { subject: 'CN=self', key: 'ec-p256', usage: 'server' } },
    },
    { workDir: dir, scenarioDir: dir },
  );
  const revocations = new Revocations(new Date('2026-12-01T00:00:00Z'));
  await publishCrlFiles(pki, revocations, dir);
  const file = pki.ca!.props.crlFile!;
  t.equal(file, join(dir, 'ca.crl.pem'));
  t.equal(pki.leaf!.props.crlFile, file, 'the leaf names its issuer\'s CRL');
  t.equal(pki.loner!.props.crlFile, undefined, 'a certificate that is not a CA, issued by none here, has no CRL');
  const before = new x509.X509Crl(readFileSync(file, 'utf8'));
  t.equal(before.entries.length, 0);
  const leaf = pki.leaf as CertificateItem;
  t.equal(await revocations.revoke('ca', { serialHex: leaf.certificate.serialNumber, date: new Date('2026-12-01T01:00:00Z'), reason: x509.X509CrlReason.keyCompromise }, new Date('2026-12-01T01:00:00Z')), true);
  const after = new x509.X509Crl(readFileSync(file, 'utf8'));
  t.strictSame(after.entries.map((e) => e.serialNumber), [leaf.certificate.serialNumber], 'rewritten before revoke returned');
  t.equal(after.thisUpdate.toISOString(), '2026-12-01T01:00:00.000Z');
  t.ok(await after.verify({ publicKey: (pki.ca as CertificateItem).certificate.publicKey }), 'signed by the CA');
});

t.test('an upstream crl: that names no CA with its key is a setup error saying so', async (t) => {
  const dir = scratchDir(t);
  const file = join(dir, 'bad-crl.yaml');
  writeFileSync(
    file,
    `scenario: crl names a leaf\npki:\n  ca: { subject: "CN=CA", key: ec-p256 }\n  server: { issuer: ca, subject: "CN=localhost", key: ec-p256, san: [localhost] }\nservices:\n  upstream: { kind: upstream, cert: server, clientCa: ca, crl: server }\nsteps:\n  - exec: "true"\n`,
  );
  const r = await runCli(['run', file, '--reporter', 'tap']);
  t.equal(r.code, 1);
  t.match(r.stdout, /crl: server is not a CA item with its private key here, so it issues no CRL/);
});
