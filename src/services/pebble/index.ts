// `pebble`: the real Let's Encrypt Pebble (Debian package, 2.4) with a rendered config in the
// work directory, its own TLS certificate (the package ships none), and pebble-challtestsrv as
// its DNS server answering 127.0.0.1 for every name. Same properties as `kind: acme`, so a
// scenario runs against ours or the real one by changing one word.
//
//   services:
//     ca: { kind: pebble, validity: 90d, env: { PEBBLE_VA_NOSLEEP: 1 } }
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { s, duration } from '../../scenario/schema.ts';
import { parseDuration, MAX_SPAN_MS } from '../../scenario/duration.ts';
import type { ServiceKind } from '../types.ts';
import { startDaemon, waitForPort, freePort, type Daemon } from '../../clients/daemon.ts';
import { createTransport } from '../../clients/acme/transport.ts';
import { writeFileAtomic } from '../../util/atomic-write.ts';
import { listenerIdentity } from '../acme/listener-identity.ts';
import { ACME_SERVICE_PROPERTIES } from '../acme/index.ts';

export interface PebbleSpec {
  env?: Record<string, string | number>;
  validity?: string | number;
  externalAccountBindingRequired?: boolean;
  eabKeys?: Record<string, string>;
  strict?: boolean;
}

/** Pebble's randomness off unless the scenario turns it on: clients retry badNonce poorly. */
const QUIET_PEBBLE = { PEBBLE_VA_NOSLEEP: '1', PEBBLE_WFE_NONCEREJECT: '0', PEBBLE_AUTHZREUSE: '0' };

export const pebbleService: ServiceKind<PebbleSpec> = {
  kind: 'pebble',
  summary: "the real Pebble ACME test CA, with pebble-challtestsrv as its DNS (every name is 127.0.0.1); same properties as kind: acme",
  schema: s.object({
    env: s.map(s.anyOf([s.string(), s.number()]), 'PEBBLE_* variables (default PEBBLE_VA_NOSLEEP=1, PEBBLE_WFE_NONCEREJECT=0, PEBBLE_AUTHZREUSE=0)'),
    validity: duration('leaf validity (config certificateValidityPeriod; Pebble 2.4 ignores it and issues 5-year certificates)', MAX_SPAN_MS),
    externalAccountBindingRequired: s.boolean('newAccount must carry an external account binding'),
    eabKeys: s.map(s.string(), 'EAB key id -> base64url HMAC key (externalAccountMACKeys)'),
    strict: s.boolean('pebble -strict'),
  }),
  properties: [...ACME_SERVICE_PROPERTIES, 'dnsServer', 'challtestsrvUrl'],
  peers: () => ['pebble', 'pebble-challtestsrv'],
  async start(spec, ctx) {
    const dir = join(ctx.workDir, 'services', ctx.name);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const host = ctx.host;
    const [port, managementPort, httpPort, tlsPort, dnsPort, challPort] = await Promise.all(Array.from({ length: 6 }, () => freePort(host)));
    const identity = await listenerIdentity(new Date());
    const files = { cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem'), ca: join(dir, 'listener-ca.pem'), config: join(dir, 'pebble-config.json'), root: join(dir, 'root-0.pem') };
    await writeFileAtomic(files.cert, identity.cert);
    await writeFileAtomic(files.key, identity.key, 0o600);
    await writeFileAtomic(files.ca, identity.ca);
    const validityMs = spec.validity !== undefined ? parseDuration(spec.validity) : undefined;
    const config = {
      pebble: {
        listenAddress: `${host}:${port}`,
        managementListenAddress: `${host}:${managementPort}`,
        certificate: files.cert,
        privateKey: files.key,
        httpPort,
        tlsPort,
        ocspResponderURL: '',
        externalAccountBindingRequired: spec.externalAccountBindingRequired ?? false,
        ...(spec.eabKeys ? { externalAccountMACKeys: spec.eabKeys } : {}),
        ...(validityMs !== undefined ? { certificateValidityPeriod: Math.round(validityMs / 1000) } : {}),
      },
    };
    await writeFileAtomic(files.config, JSON.stringify(config, null, 2) + '\n');
    const daemons: Daemon[] = [];
    const stopAll = async () => {
      for (const d of daemons.reverse()) await d.stop();
    };
    try {
      const dns = startDaemon(['pebble-challtestsrv', '-defaultIPv4', '127.0.0.1', '-defaultIPv6', '', '-dns01', `${host}:${dnsPort}`, '-management', `${host}:${challPort}`, '-http01', '', '-https01', '', '-tlsalpn01', ''], { cwd: dir, env: ctx.env, log: (l) => ctx.log(`challtestsrv: ${l}`) });
      daemons.push(dns);
      await waitForPort(dns, host, challPort);
      const env = { ...ctx.env, ...QUIET_PEBBLE, ...Object.fromEntries(Object.entries(spec.env ?? {}).map(([k, v]) => [k, String(v)])) };
      const pebble = startDaemon(['pebble', '-config', files.config, '-dnsserver', `${host}:${dnsPort}`, ...(spec.strict ? ['-strict'] : [])], { cwd: dir, env, log: (l) => ctx.log(`pebble: ${l}`) });
      daemons.push(pebble);
      await waitForPort(pebble, host, port, 20_000);
      await waitForPort(pebble, host, managementPort, 5_000);
      // Pebble makes its roots when it starts: fetch root 0 so clients can verify what it issues.
      const transport = createTransport({ ca: identity.ca });
      try {
        const res = await transport.request('GET', `https://localhost:${managementPort}/roots/0`);
        if (res.status !== 200) throw new Error(`GET /roots/0 answered ${res.status}`);
        await writeFileAtomic(files.root, res.body.toString('utf8'));
      } finally {
        await transport.close();
      }
    } catch (e) {
      await stopAll();
      throw e;
    }
    return {
      props: {
        url: `https://localhost:${port}/dir`,
        directoryUrl: `https://localhost:${port}/dir`,
        host,
        port,
        managementUrl: `https://localhost:${managementPort}`,
        httpPort,
        tlsPort,
        caFile: files.ca,
        rootFile: files.root,
        dir,
        dnsServer: `${host}:${dnsPort}`,
        challtestsrvUrl: `http://${host}:${challPort}`,
      },
      stop: stopAll,
    };
  },
};
