// Scenarios that share a world run their steps against one PKI and one set of services, built
// once, and torn down when the last of them is done, or when the run stops before it starts.
import t from 'tap';
import { existsSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { createCatalog } from '../src/runner/catalog.ts';
import { runAll, type LoadedScenario } from '../src/runner/run.ts';
import { SharedWorld } from '../src/runner/shared-world.ts';
import { ReporterMultiplexer } from '../src/report/multiplexer.ts';
import { loadScenarioText } from '../src/scenario/load.ts';
import type { Scenario } from '../src/scenario/types.ts';
import { PEER_HINTS } from '../src/cli/peers.ts';
import { scratchDir } from './helpers.ts';
import { portOpen } from '../src/clients/daemon.ts';

const catalog = createCatalog();

function scenario(title: string, o: { port?: number; extraService?: boolean; steps: string[] }): { scenario: Scenario; source: string } {
  const source = [
    `scenario: ${title}`,
    'pki:',
    '  ca: { subject: "/CN=Shared CA", key: ec-p256 }',
    '  server: { issuer: ca, subject: "/CN=localhost", san: [localhost, 127.0.0.1], key: ec-p256 }',
    'services:',
    `  up: { kind: upstream, cert: server${o.port ? `, port: ${o.port}` : ''} }`,
    ...(o.extraService ? ['  other: { kind: upstream, cert: server }'] : []),
    ...(o.steps.length ? ['steps:', ...o.steps] : ['steps: []']),
  ].join('\n');
  const r = loadScenarioText(`${title}.yaml`, source, { catalog: catalog.format, env: process.env, vars: {} });
  if (!r.scenario) throw new Error(r.problems.map((p) => p.message).join('; '));
  return { scenario: r.scenario, source };
}

const where = ['  - name: where the world is', '    exec: [echo, "{{up.port}} {{server.certFile}}"]'];
const reaches = ['  - name: the upstream answers', '    https: { url: "{{up.url}}/", trust: ca }', '    expect: { status: 200 }'];

function run(users: { scenario: Scenario; source: string }[], world: SharedWorld, tmpRoot: string, o: { bail?: boolean } = {}) {
  const loaded: LoadedScenario[] = users.map((u, i) => ({ ...u, id: `user-${i}`, world }));
  return runAll(loaded, { catalog, reporters: new ReporterMultiplexer([]), signal: new AbortController().signal, env: process.env, stepTimeoutMs: 30_000, retries: 0, keep: false, requirePeers: false, peerHints: PEER_HINTS, jobs: 2, bail: o.bail ?? false, tmpRoot });
}

/** Nothing listens on the port any more. */
const refused = async (port: number) => !(await portOpen('127.0.0.1', port));

t.test('two scenarios in one world: the same port and files, one setup, and nothing left after the last', async (t) => {
  const tmp = scratchDir(t);
  const world = new SharedWorld(scenario('world', { steps: [] }).scenario, 2);
  const result = await run([scenario('a', { steps: [...where, ...reaches] }), scenario('b', { steps: [...reaches, ...where] })], world, tmp);
  t.strictSame(result.scenarios.map((s) => s.status), ['passed', 'passed'], JSON.stringify(result.scenarios.map((s) => s.steps.filter((st) => st.status === 'failed').map((st) => st.assertions[0]?.message))));
  const seen = result.scenarios.map((s) => String(s.steps.find((st) => st.name === 'where the world is')!.result?.stdout).trim());
  t.equal(seen[0], seen[1], 'both ran against the same port and certificate file');
  t.equal(result.scenarios.filter((s) => s.setupMs).length, 1, 'one scenario built the world and reports its setup time');
  const [port, certFile] = seen[0]!.split(' ');
  t.ok(await refused(Number(port)), 'the upstream stopped after the last scenario');
  t.notOk(existsSync(certFile!), 'the work directory is gone');
  t.strictSame(result.scenarios.map((s) => s.pki?.map((c) => c.name).sort()), [['ca', 'server'], ['ca', 'server']], 'each reports the certificates it declares');
});

t.test('a world that cannot be built fails every scenario with its cause', async (t) => {
  const tmp = scratchDir(t);
  const held = createServer();
  await new Promise<void>((resolve) => held.listen(0, '127.0.0.1', resolve));
  t.teardown(() => held.close());
  const port = (held.address() as AddressInfo).port;
  const world = new SharedWorld(scenario('world', { port, steps: [] }).scenario, 2);
  const users = [scenario('a', { port, steps: reaches }), scenario('b', { port, steps: reaches })];
  const result = await run(users, world, tmp);
  t.strictSame(result.scenarios.map((s) => s.status), ['failed', 'failed']);
  for (const s of result.scenarios) t.match(s.problems[0]?.message, /cannot listen on 127\.0\.0\.1:\d+: the port is taken/, `${s.id}: the cause`);
  t.equal(result.scenarios.flatMap((s) => s.steps).length, 0, 'no step ran');
});

t.test('a scenario that declares what the world does not is a harness error, not a pass', async (t) => {
  const tmp = scratchDir(t);
  const world = new SharedWorld(scenario('world', { steps: [] }).scenario, 2);
  const result = await run([scenario('a', { steps: where }), scenario('b', { extraService: true, steps: reaches })], world, tmp);
  t.equal(result.scenarios[0]!.status, 'passed');
  t.equal(result.scenarios[1]!.status, 'failed');
  t.match(result.scenarios[1]!.problems[0]?.message, /the shared world does not declare, as this scenario does: service other/);
  const port = String(result.scenarios[0]!.steps[0]!.result?.stdout).split(' ')[0];
  t.ok(await refused(Number(port)), 'the world is torn down all the same');
});

t.test('a run that bails before every scenario ran still tears the shared world down', async (t) => {
  const tmp = scratchDir(t);
  const world = new SharedWorld(scenario('world', { steps: [] }).scenario, 3);
  const fails = ['  - name: a refusal that does not come', '    https: { url: "{{up.url}}/", trust: ca }', '    expect: { status: 404 }'];
  const users = [scenario('a', { steps: [...where, ...fails] }), scenario('b', { steps: [...where, ...fails] }), scenario('c', { steps: where })];
  const result = await run(users, world, tmp, { bail: true });
  t.equal(result.bailedAfter !== undefined, true, 'the run bailed');
  t.equal(result.scenarios[2]!.status, 'skipped', 'the third never started');
  const port = String(result.scenarios[0]!.steps[0]!.result?.stdout).split(' ')[0];
  t.ok(await refused(Number(port)), 'the upstream stopped');
  await t.rejects(world.acquire({ catalog, signal: new AbortController().signal, env: process.env, keep: false, tmpRoot: tmp }), /used after it was torn down/, 'and it cannot be entered again');
});
