// Requests per second and p99 latency through certharness's proxy and through the real nginx,
// each presenting a client certificate to the same upstream, measured by the same client
// (autocannon) in one run, one after the other. Prints the ratio.
//
//   npm run build && node dist/bench/proxy.js [seconds] [connections]   (default 5 s, 32 connections)
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { createCatalog } from '../src/runner/catalog.ts';
import { loadScenarioText } from '../src/scenario/load.ts';
import { buildWorld, isWorld } from '../src/runner/world.ts';
import { TeardownStack } from '../src/runner/teardown.ts';
import { which } from '../src/runtime/index.ts';

const seconds = Number(process.argv[2] ?? 5);
const connections = Number(process.argv[3] ?? 32);

const SCENARIO = `scenario: bench proxy
pki:
  ca: { subject: "CN=Bench CA", key: ec-p256 }
  server: { issuer: ca, subject: "CN=localhost", san: [localhost, 127.0.0.1], key: ec-p256 }
  client: { issuer: ca, subject: "CN=bench-client", usage: client, key: ec-p256 }
services:
  upstream: { kind: upstream, cert: server, clientCa: ca, routes: [{ path: /hello/world, status: 200, body: "hello world" }] }
  ours: { kind: proxy, to: upstream, clientCert: client, trust: ca }
${which('nginx') ? '  nginx: { kind: nginx, role: proxy, to: upstream, clientCert: client, trust: ca, name: localhost }\n' : ''}steps: []
`;

function run(url: string): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => autocannon({ url, connections, duration: seconds }, (err, r) => (err ? reject(err) : resolve(r))));
}

const dir = mkdtempSync(join(tmpdir(), 'bench-proxy-'));
const file = join(dir, 'bench.yaml');
writeFileSync(file, SCENARIO);
const catalog = createCatalog();
const loaded = loadScenarioText(file, SCENARIO, { catalog: catalog.format, env: process.env });
if (!loaded.scenario) throw new Error(loaded.problems.map((p) => p.message).join('\n'));
const teardown = new TeardownStack();
// nginx is a process of its own: on Ctrl-C, or a timeout's SIGTERM, tear the world down too.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void teardown
      .unwind()
      .finally(() => rmSync(dir, { recursive: true, force: true }))
      .finally(() => process.exit(130));
  });
}
try {
  const world = await buildWorld(loaded.scenario, { catalog, signal: new AbortController().signal, env: process.env, keep: false }, teardown);
  if (!isWorld(world)) throw new Error(world.message);
  const results: [string, autocannon.Result][] = [];
  for (const name of ['ours', 'nginx']) {
    const url = world.services[name]?.url;
    if (!url) continue;
    await run(`${url}/hello/world`); // warm the keep-alive pool
    results.push([name, await run(`${url}/hello/world`)]);
  }
  console.log(`GET /hello/world through a client-certificate proxy to the same mTLS upstream, ${connections} connections, ${seconds}s each:`);
  for (const [name, r] of results) console.log(`  ${name === 'ours' ? 'certharness proxy' : 'nginx 1.22       '}  ${r.requests.average.toFixed(0)} req/s   p99 ${r.latency.p99} ms   non-2xx ${r.non2xx}   errors ${r.errors}`);
  const [ours, nginx] = [results.find(([n]) => n === 'ours')?.[1], results.find(([n]) => n === 'nginx')?.[1]];
  if (ours && nginx) console.log(`  ratio certharness / nginx: ${(ours.requests.average / nginx.requests.average).toFixed(2)} x throughput (aim: at least 0.8), p99 ${(ours.latency.p99 / Math.max(1, nginx.latency.p99)).toFixed(2)} x`);
  else console.log('  nginx not found (apt-get install nginx-light): no ratio');
} finally {
  await teardown.unwind();
  rmSync(dir, { recursive: true, force: true });
}
