// The crl service and the revoke step, with openssl as the relying party (-crl_download reads
// the distribution point in the certificate), and requests that must fail alone.
import t from 'tap';
import { spawn } from 'node:child_process';
import net from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, ROOT, firstLine, needPeer, runCli, scratchDir } from './helpers.ts';

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
