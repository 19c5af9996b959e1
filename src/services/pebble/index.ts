// `pebble`: the real Let's Encrypt Pebble (Debian package, 2.4) with a rendered config in the
// work directory, its own TLS certificate (the package ships none), and pebble-challtestsrv as
// its DNS server answering 127.0.0.1 for every name. Same properties as `kind: acme`, so a
// scenario runs against ours or the real one by changing one word.
//
//   services:
//     ca: { kind: pebble, validity: 90d, env: { PEBBLE_VA_NOSLEEP: 1 } }
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { s, duration, type Infer } from '../../scenario/schema.ts';
import { parseDuration, MAX_SPAN_MS } from '../../scenario/duration.ts';
import { defineService, type ServiceContext, type RunningService } from '../types.ts';
import { startDaemon, waitForPort, type Daemon } from '../../clients/daemon.ts';
import { daemonPort, retryingBusyPorts } from '../../net/daemon-port.ts';
import { createTransport } from '../../clients/acme/transport.ts';
import { writeFileAtomic } from '../../util/atomic-write.ts';
import { listenerIdentity } from '../acme/listener-identity.ts';
import { ACME_SERVICE_PROPERTIES } from '../acme/index.ts';
import { validationPorts } from '../acme/validation-ports.ts';

export type PebbleSpec = Infer<typeof pebbleSchema>;

/** Pebble's randomness off unless the scenario turns it on: clients retry badNonce poorly. */
const QUIET_PEBBLE = { PEBBLE_VA_NOSLEEP: '1', PEBBLE_WFE_NONCEREJECT: '0', PEBBLE_AUTHZREUSE: '0' };

const pebbleSchema = s.object({
  env: s.map(s.anyOf([s.string(), s.number()]), 'PEBBLE_* variables (default PEBBLE_VA_NOSLEEP=1, PEBBLE_WFE_NONCEREJECT=0, PEBBLE_AUTHZREUSE=0)'),
  validity: duration('leaf validity (config certificateValidityPeriod; Pebble 2.4 ignores it and issues 5-year certificates)', MAX_SPAN_MS),
  externalAccountBindingRequired: s.boolean('newAccount must carry an external account binding'),
  eabKeys: s.map(s.string(), 'EAB key id -> base64url HMAC key (externalAccountMACKeys)'),
  strict: s.boolean('pebble -strict'),
});

export const pebbleService = defineService({
  kind: 'pebble',
  summary: "the real Pebble ACME test CA, with pebble-challtestsrv as its DNS (every name is 127.0.0.1); same properties as kind: acme",
  schema: pebbleSchema,
  properties: [...ACME_SERVICE_PROPERTIES, 'dnsServer', 'challtestsrvUrl'],
  peers: () => ['pebble', 'pebble-challtestsrv'],
  async start(spec, ctx) {
    const dir = join(ctx.workDir, 'services', ctx.name);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const identity = await listenerIdentity(new Date());
    const files = { cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem'), ca: join(dir, 'listener-ca.pem'), config: join(dir, 'pebble-config.json'), root: join(dir, 'root-0.pem') };
    await writeFileAtomic(files.cert, identity.cert);
    await writeFileAtomic(files.key, identity.key, 0o600);
    await writeFileAtomic(files.ca, identity.ca);
    // Pebble only connects to these: certharness holds them, and the acme step answers on them.
    const validation = await validationPorts(ctx.host, {});
    try {
      const running = await retryingBusyPorts(() => startPebble(spec, ctx, { dir, files, identityCa: identity.ca, httpPort: validation.httpPort, tlsPort: validation.tlsPort }));
      return {
        props: { ...running.props, caFile: files.ca, rootFile: files.root },
        stop: async () => {
          await running.stop();
          await validation.close();
        },
      };
    } catch (e) {
      await validation.close();
      throw e;
    }
  },
});

interface PebbleLayout {
  dir: string;
  files: { config: string; cert: string; key: string; root: string };
  identityCa: string;
  httpPort: number;
  tlsPort: number;
}

/** pebble-challtestsrv, then Pebble, on ports chosen now; stops both if either fails. */
async function startPebble(spec: PebbleSpec, ctx: ServiceContext, l: PebbleLayout): Promise<RunningService> {
  const host = ctx.host;
  const [port, managementPort, dnsPort, challPort] = [await daemonPort(host), await daemonPort(host), await daemonPort(host), await daemonPort(host)];
  const daemons: Daemon[] = [];
  const stop = async () => {
    for (const d of daemons.reverse()) await d.stop();
  };
  try {
    await writeFileAtomic(l.files.config, JSON.stringify(pebbleConfig(spec, { listenAddress: `${host}:${port}`, managementListenAddress: `${host}:${managementPort}`, certificate: l.files.cert, privateKey: l.files.key, httpPort: l.httpPort, tlsPort: l.tlsPort }), null, 2) + '\n');
    const dns = startDaemon(['pebble-challtestsrv', '-defaultIPv4', '127.0.0.1', '-defaultIPv6', '', '-dns01', `${host}:${dnsPort}`, '-management', `${host}:${challPort}`, '-http01', '', '-https01', '', '-tlsalpn01', ''], { cwd: l.dir, env: ctx.env, log: (line) => ctx.log(`challtestsrv: ${line}`) });
    daemons.push(dns);
    await waitForPort(dns, host, challPort);
    const env = { ...ctx.env, ...QUIET_PEBBLE, ...Object.fromEntries(Object.entries(spec.env ?? {}).map(([k, v]) => [k, String(v)])) };
    const pebble = startDaemon(['pebble', '-config', l.files.config, '-dnsserver', `${host}:${dnsPort}`, ...(spec.strict ? ['-strict'] : [])], { cwd: l.dir, env, log: (line) => ctx.log(`pebble: ${line}`) });
    daemons.push(pebble);
    await waitForPort(pebble, host, port, 20_000);
    await waitForPort(pebble, host, managementPort, 5_000);
    await fetchRoot(managementPort, l.identityCa, l.files.root);
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    props: {
      url: `https://localhost:${port}/dir`,
      directoryUrl: `https://localhost:${port}/dir`,
      host,
      port,
      managementUrl: `https://localhost:${managementPort}`,
      httpPort: l.httpPort,
      tlsPort: l.tlsPort,
      dir: l.dir,
      dnsServer: `${host}:${dnsPort}`,
      challtestsrvUrl: `http://${host}:${challPort}`,
    },
    stop,
  };
}

function pebbleConfig(spec: PebbleSpec, listen: Record<string, string | number>): Record<string, unknown> {
  const validityMs = spec.validity !== undefined ? parseDuration(spec.validity) : undefined;
  return {
    pebble: {
      ...listen,
      ocspResponderURL: '',
      externalAccountBindingRequired: spec.externalAccountBindingRequired ?? false,
      ...(spec.eabKeys ? { externalAccountMACKeys: spec.eabKeys } : {}),
      ...(validityMs !== undefined ? { certificateValidityPeriod: Math.round(validityMs / 1000) } : {}),
    },
  };
}

/** Pebble makes its roots when it starts: root 0 is fetched so clients can verify what it issues. */
async function fetchRoot(managementPort: number, listenerCa: string, file: string): Promise<void> {
  const transport = createTransport({ ca: listenerCa });
  try {
    const res = await transport.request('GET', `https://localhost:${managementPort}/roots/0`);
    if (res.status !== 200) throw new Error(`GET /roots/0 answered ${res.status}`);
    await writeFileAtomic(file, res.body.toString('utf8'));
  } finally {
    await transport.close();
  }
}
