// What a TLS scanner sees of the built-in upstream is what it sees of a real mTLS server,
// openssl s_server -Verify 1 with the same certificate. testssl.sh 3.0 decides that a server
// requires a client certificate when openssl s_client fails after a CertificateRequest: with
// TLS 1.2 the refusal ends the handshake, so the verdict is certain and is compared; with TLS
// 1.3 the refusal is an alert after the client's Finished, and whether s_client reads it before
// it exits is a race testssl.sh loses now and then against either server. There the alert
// itself is compared, as s_client shows it to a client that waits for it.
import t from 'tap';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, ROOT, firstLine, needPeer, scratchDir } from './helpers.ts';
import { startDaemon, waitForPort } from '../src/clients/daemon.ts';
import { daemonPort } from '../src/net/daemon-port.ts';

const CLIENT_AUTH = 'certificate-based authentication => skipping all HTTP checks';

/** testssl.sh's "service" finding for one endpoint (its service detection runs before any check). */
function testsslService(dir: string, name: string, port: number): Promise<string> {
  const json = join(dir, `${name}.json`);
  return new Promise((resolve, reject) => {
    const child = spawn('testssl', ['--quiet', '--color', '0', '--warnings', 'off', '--ip', '127.0.0.1', '-H', '--jsonfile-pretty', json, `https://localhost:${port}`], { cwd: dir, stdio: 'ignore' });
    child.on('error', reject);
    child.on('close', () => {
      try {
        resolve(String(JSON.parse(readFileSync(json, 'utf8')).scanResult[0].service));
      } catch (e) {
        reject(new Error(`testssl.sh wrote no report for ${name}: ${(e as Error).message}`));
      }
    });
  });
}

/** The alert openssl s_client receives when it offers no certificate and waits for the server to finish. */
function alertWithoutCertificate(port: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    // stdin stays open, so s_client reads until the server closes the connection.
    const child = spawn('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', '-msg', '-tls1_3'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', () => resolve(/^<<< TLS 1\.3, Alert \[length 0002\], (.+)$/m.exec(out)?.[1]?.trim()));
  });
}

t.test('testssl.sh sees the upstream as it sees openssl s_server -Verify 1', async (t) => {
  if (!needPeer(t, 'testssl') || !needPeer(t, 'openssl')) return;
  const dir = scratchDir(t, 'certharness-testssl-');
  const serve = spawn(process.execPath, [BIN, 'serve', 'test/fixtures/scenarios/testssl.yaml', '--json'], { cwd: ROOT, env: { ...process.env, TMPDIR: dir }, stdio: ['ignore', 'pipe', 'inherit'] });
  const served = new Promise((resolve) => serve.on('close', resolve));
  t.teardown(async () => {
    serve.kill('SIGINT');
    await served;
  });
  const world = JSON.parse(await firstLine(serve));
  const { server, ca } = world.pki;
  const sServer = async (extra: string[]) => {
    const port = await daemonPort('127.0.0.1');
    const d = startDaemon(['openssl', 's_server', '-accept', `127.0.0.1:${port}`, '-cert', server.certFile, '-key', server.keyFile, '-CAfile', ca.certFile, '-Verify', '1', '-www', ...extra], { cwd: dir, env: process.env });
    t.teardown(() => d.stop());
    await waitForPort(d, '127.0.0.1', port);
    return port;
  };
  const reference = { tls13: await sServer([]), tls12: await sServer(['-no_tls1_3']) };
  const [ours, theirs] = await Promise.all([testsslService(dir, 'upstream', world.services.tls12.port), testsslService(dir, 's_server', reference.tls12)]);
  t.equal(theirs, CLIENT_AUTH, 'TLS 1.2: testssl.sh detects that s_server requires a client certificate');
  t.equal(ours, theirs, 'and says the same of the upstream');
  const [ourAlert, theirAlert] = await Promise.all([alertWithoutCertificate(world.services.tls13.port), alertWithoutCertificate(reference.tls13)]);
  t.equal(theirAlert, 'fatal certificate_required', 'TLS 1.3: s_server sends certificate_required (116) to a client without a certificate');
  t.equal(ourAlert, theirAlert, 'and so does the upstream');
});
