// `certharness grpc check` on the document's settings: a good pair, then one problem each.
import t from 'tap';
import { copyFileSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, runCli, runCliHere, tempDir } from './helpers.ts';

t.test('grpc check: the document\'s pair, Python True, a name mismatch, a missing file', async (t) => {
  const dir = tempDir();
  t.equal((await runCliHere(['pki', 'init', dir, '--profile', 'doc-002'])).code, 0);
  for (const f of ['server.json', 'client.json', 'server-as-documented.json']) copyFileSync(join(ROOT, 'fixtures', '002', f), join(dir, f));
  const good = await runCli(['grpc', 'check', join(dir, 'client.json'), '--peer', join(dir, 'server.json')]);
  t.equal(good.code, 0, good.stdout);
  t.match(good.stdout, /ok +the server certificate covers 'localhost' \(grpc\.ssl_target_name_override\)/);
  const py = await runCliHere(['grpc', 'check', join(dir, 'server-as-documented.json'), '--role', 'server']);
  t.equal(py.code, 0);
  t.match(py.stdout, /warn +.*server-as-documented\.json:2:30: Python's True is not JSON; read as true/);
  writeFileSync(join(dir, 'renamed.json'), readFileSync(join(dir, 'client.json'), 'utf8').replace('"localhost"', '"myserver"'));
  const mismatch = await runCliHere(['grpc', 'check', join(dir, 'renamed.json'), '--role', 'client', '--peer', join(dir, 'server.json')]);
  t.equal(mismatch.code, 1);
  t.match(mismatch.stdout, /ERROR the server certificate covers 'myserver'/);
  const missing = await runCliHere(['grpc', 'check', join(ROOT, 'fixtures', '002', 'server.json')]);
  t.equal(missing.code, 1);
  t.match(missing.stdout, /ERROR .*server\.json: ssl_cert .*server\.crt does not exist/);
  writeFileSync(join(dir, 'typo.json'), '{"use_secure_conection": true}');
  const typo = await runCliHere(['grpc', 'check', join(dir, 'typo.json')]);
  t.equal(typo.code, 2);
  t.match(typo.stderr, /typo\.json: unknown key 'use_secure_conection' \(did you mean 'use_secure_connection'\?\)/);
});
