// `certharness serve acme` through the real CLI: Pebble's config file, the JSON line it prints
// once listening, the files it names, a clean exit on Ctrl-C, and one-line errors for bad input.
import t from 'tap';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, firstLine, needPeer, runCliHere, sh, tempDir } from './helpers.ts';
import { createTransport } from '../src/clients/acme/transport.ts';

t.test('serve acme --config: listens where the config says, serves the directory and root 0, exits 0 on SIGINT', async (t) => {
  const dir = tempDir();
  const config = join(dir, 'pebble-config.json');
  // Pebble's example file, with port 0 so tests can run side by side.
  writeFileSync(config, JSON.stringify({ pebble: { listenAddress: '0.0.0.0:0', managementListenAddress: '0.0.0.0:0', httpPort: 5002, tlsPort: 5001, ocspResponderURL: '', externalAccountBindingRequired: true } }));
  const child = spawn(process.execPath, [BIN, 'serve', 'acme', '--config', config, '--json', '--seed', '42'], { env: { ...process.env, PEBBLE_CHAIN_LENGTH: '2' } });
  const info = JSON.parse(await firstLine(child)) as { directoryUrl: string; managementUrl: string; caFile: string; rootFile: string; seed: number };
  t.match(info.directoryUrl, /^https:\/\/localhost:\d+\/dir$/);
  t.equal(info.seed, 42, 'the seed is the one given');
  const transport = createTransport({ ca: readFileSync(info.caFile, 'utf8') });
  const dirDoc = JSON.parse((await transport.request('GET', info.directoryUrl)).body.toString());
  t.equal(dirDoc.meta.externalAccountRequired, true, 'the config file was read');
  const root = (await transport.request('GET', `${info.managementUrl}/roots/0`)).body.toString();
  t.equal(root, readFileSync(info.rootFile, 'utf8'), '/roots/0 is the rootFile');
  await transport.close();
  const exit = new Promise<number | null>((resolve) => child.on('close', resolve));
  child.kill('SIGINT');
  t.equal(await exit, 0, 'exit 0 on Ctrl-C');
  t.notOk(existsSync(info.caFile), 'its files are removed without --keep');
});

t.test('serve acme: a bad config is one line naming the file, exit 2', async (t) => {
  const dir = tempDir();
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, '{"pebble": {"httpPort": "80"}}');
  const r = await runCliHere(['serve', 'acme', '--config', bad]);
  t.equal(r.code, 2);
  t.equal(r.stderr.trim(), `certharness: ${bad}: pebble.httpPort must be a non-negative integer`);
  const missing = await runCliHere(['serve', 'acme', '--config', join(dir, 'nope.json')]);
  t.equal(missing.code, 2);
  t.match(missing.stderr, /nope\.json: no such file/);
  t.equal(missing.stderr.trim().split('\n').length, 1, 'one line, no stack trace');
});

t.test("serve acme with Pebble's certificate/privateKey: the trust it prints is their CA (Pebble's minica layout), which curl verifies against", async (t) => {
  if (!needPeer(t, 'openssl') || !needPeer(t, 'curl')) return;
  const dir = tempDir();
  const certs = join(dir, 'test', 'certs');
  mkdirSync(join(certs, 'localhost'), { recursive: true });
  const openssl = (...args: string[]) => t.equal(sh(['openssl', ...args], { cwd: certs }).code, 0, `openssl ${args[0]}`);
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'pebble.minica.key.pem', '-out', 'pebble.minica.pem', '-subj', '/CN=minica root ca', '-days', '30');
  openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'localhost/key.pem', '-out', 'localhost/req.csr', '-subj', '/CN=localhost');
  writeFileSync(join(certs, 'localhost', 'ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  openssl('x509', '-req', '-in', 'localhost/req.csr', '-CA', 'pebble.minica.pem', '-CAkey', 'pebble.minica.key.pem', '-CAcreateserial', '-days', '30', '-extfile', 'localhost/ext', '-out', 'localhost/cert.pem');
  const config = join(dir, 'pebble-config.json');
  writeFileSync(config, JSON.stringify({ pebble: { listenAddress: '127.0.0.1:0', managementListenAddress: '127.0.0.1:0', certificate: 'test/certs/localhost/cert.pem', privateKey: 'test/certs/localhost/key.pem', httpPort: 5002, tlsPort: 5001 } }));
  const child = spawn(process.execPath, [BIN, 'serve', 'acme', '--config', config, '--json'], { cwd: dir });
  t.teardown(() => void child.kill('SIGINT'));
  const info = JSON.parse(await firstLine(child)) as { directoryUrl: string; caFile: string };
  t.equal(readFileSync(info.caFile, 'utf8').trim(), readFileSync(join(certs, 'pebble.minica.pem'), 'utf8').trim(), 'caFile is the minica root, not the listener leaf');
  const curl = sh(['curl', '-sS', '--cacert', info.caFile, info.directoryUrl]);
  t.equal(curl.code, 0, curl.stderr);
  t.match(JSON.parse(curl.stdout), { newNonce: /\/nonce-plz$/ });
  const exit = new Promise<number | null>((resolve) => child.on('close', resolve));
  child.kill('SIGINT');
  t.equal(await exit, 0);
});
