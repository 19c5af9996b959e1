// `certharness serve acme` through the real CLI: Pebble's config file, the JSON line it prints
// once listening, the files it names, a clean exit on Ctrl-C, and one-line errors for bad input.
import t from 'tap';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, firstLine, runCli, tempDir } from './helpers.ts';
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
  const r = await runCli(['serve', 'acme', '--config', bad]);
  t.equal(r.code, 2);
  t.equal(r.stderr.trim(), `certharness: ${bad}: pebble.httpPort must be a non-negative integer`);
  const missing = await runCli(['serve', 'acme', '--config', join(dir, 'nope.json')]);
  t.equal(missing.code, 2);
  t.match(missing.stderr, /nope\.json: no such file/);
  t.equal(missing.stderr.trim().split('\n').length, 1, 'one line, no stack trace');
});
