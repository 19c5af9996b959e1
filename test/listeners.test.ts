// Services whose ports the world reserves before the PKI: a certificate may carry their address.
import t from 'tap';
import { createServer } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, runCliHere, scratchDir } from './helpers.ts';

t.test("a certificate carries a service's URL, and the service answers on it, before and after a restart", async (t) => {
  const r = await runCli(['run', 'test/fixtures/scenarios/address-in-pki.yaml', '--reporter', 'tap']);
  t.equal(r.code, 0, r.stdout);
  t.match(r.stdout, /# tests 4: passed 4, failed 0/);
});

t.test('a pinned port that is taken fails the setup, naming the service and the port', async (t) => {
  const squatter = createServer();
  await new Promise<void>((done) => squatter.listen(0, '127.0.0.1', done));
  t.teardown(() => squatter.close());
  const port = (squatter.address() as { port: number }).port;
  const dir = scratchDir(t, 'certharness-listeners-');
  const file = join(dir, 'pinned.yaml');
  writeFileSync(file, `scenario: pinned\npki:\n  ca: { subject: "/CN=x", key: ec-p256 }\nservices:\n  api: { kind: upstream, cert: ca, port: ${port} }\nsteps:\n  - exec: "true"\n`);
  const r = await runCli(['run', file, '--reporter', 'tap']);
  t.equal(r.code, 1);
  t.match(r.stdout, new RegExp(`service api \\(upstream\\) cannot listen on 127\\.0\\.0\\.1:${port}: the port is taken`));
});

t.test("a PKI declaration may use only the address of a service that reserves its ports", async (t) => {
  const dir = scratchDir(t, 'certharness-listeners-');
  const file = join(dir, 'late.yaml');
  writeFileSync(file, 'scenario: late\npki:\n  ca: { subject: "/CN=x", key: ec-p256 }\n  leaf: { issuer: ca, subject: "/CN=leaf", key: ec-p256, ocsp: ["{{ng.url}}/ocsp", "{{api.confFile}}"] }\nservices:\n  ng: { kind: nginx, role: terminator, cert: ca }\n  api: { kind: nginx, role: terminator, cert: ca }\nsteps: []\n');
  const r = await runCliHere(['validate', file]);
  t.equal(r.code, 2);
  t.match(r.stderr, "pki.leaf cannot use {{ng.url}}: the PKI is made before the services start (a nginx service's address is known only once it starts)");
  writeFileSync(file, 'scenario: late\npki:\n  ca: { subject: "/CN=x", key: ec-p256 }\n  leaf: { issuer: ca, subject: "/CN=leaf", key: ec-p256, ocsp: ["{{api.certFile}}"] }\nservices:\n  api: { kind: upstream, cert: ca }\nsteps: []\n');
  const wrongProp = await runCliHere(['validate', file]);
  t.match(wrongProp.stderr, "service 'api' has no property 'certFile'");
});
