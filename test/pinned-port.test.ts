// A pinned port someone else holds is a failed start that names the holder, not a green run
// against a stranger's server. The stranger here is this test process.
import t from 'tap';
import { createServer } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { needPeer, runCli, scratchDir } from './helpers.ts';
import { portHolders } from '../src/clients/socket-owner.ts';

t.test('nginx on a pinned port that is taken: setup fails, naming the port and its holder', async (t) => {
  if (!needPeer(t, 'nginx')) return;
  const squatter = createServer((s) => s.end('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'));
  await new Promise<void>((done) => squatter.listen(0, '127.0.0.1', done));
  t.teardown(() => squatter.close());
  const port = (squatter.address() as { port: number }).port;
  t.match(portHolders(port), [{ pid: process.pid }], '/proc names this process as the holder');

  const tmp = scratchDir(t, 'certharness-pinned-');
  const scenario = join(tmp, 'pinned.yaml');
  writeFileSync(
    scenario,
    `scenario: a pinned port that is taken
pki:
  ca: { subject: "CN=Pinned CA", key: ec-p256 }
  server: { issuer: ca, subject: "CN=localhost", san: [localhost], key: ec-p256 }
services:
  ng: { kind: nginx, role: terminator, cert: server, port: ${port} }
steps:
  - name: would talk to the squatter
    https: { url: "{{ng.url}}/", insecure: true }
    expect: { status: 200 }
`,
  );
  const r = await runCli(['run', scenario, '--reporter', 'tap']);
  t.equal(r.code, 1, 'the scenario fails');
  t.match(r.stdout, new RegExp(`port ${port} is already taken by pid ${process.pid} \\(`), 'naming the port and the holder');
  t.notMatch(r.stdout, /^\s+ok 1 - would talk to the squatter/m, 'no step ran against the squatter');
});
