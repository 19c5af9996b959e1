// `gateway`: the real Express Gateway 1.16.11 as document 003 deploys it: an HTTPS listener whose
// `tls:` section points at the certificate manager's live files. It runs under Node as a child
// process (whatever runtime certharness runs on), with a rendered gateway.config.yml, and its
// working directory is where relative `key`/`cert`/`ca` paths resolve, as Express Gateway does.
//
//   services:
//     gw:
//       kind: gateway
//       start: step
//       tls:
//         default: { key: letsencrypt/live/aiotes/privkey.pem, cert: letsencrypt/live/aiotes/cert.pem, ca: [letsencrypt/live/aiotes/chain.pem] }
import { cp, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { s, type Infer } from '../../scenario/schema.ts';
import { resolveWorkPath, workFile } from '../../scenario/work-path.ts';
import { defineService } from '../types.ts';
import { startDaemon, waitForPort, assertPortFree } from '../../clients/daemon.ts';
import { daemonPort, retryingBusyPorts } from '../../net/daemon-port.ts';
import { writeFileAtomic } from '../../util/atomic-write.ts';
import { npmPeerDir } from '../../runtime/index.ts';

export interface TlsEntry {
  key: string;
  cert: string;
  ca?: string[];
}

export type GatewaySpec = Infer<typeof gatewaySchema>;

const SYSTEM_CONFIG = {
  db: { redis: { emulate: true, namespace: 'EG' } },
  crypto: { cipherKey: 'certharness', algorithm: 'aes256', saltRounds: 10 },
  session: { secret: 'certharness', resave: false, saveUninitialized: false },
  accessTokens: { timeToExpiry: 7_200_000 },
  refreshTokens: { timeToExpiry: 7_200_000 },
  authorizationCodes: { timeToExpiry: 300_000 },
};

/** gateway.config.yml as Express Gateway 1.16 validates it: `https.tls` is a map keyed by host glob or `default`. */
export function renderGatewayConfig(o: { port: number; adminPort: number; tls: Record<string, TlsEntry>; message: string }): string {
  return stringify({
    // Express Gateway 1.16 reads https.hostname (admin takes host): without it, it listens on every interface.
    https: { port: o.port, hostname: '127.0.0.1', tls: o.tls },
    admin: { port: o.adminPort, host: '127.0.0.1' },
    apiEndpoints: { api: { host: '*' } },
    serviceEndpoints: {},
    policies: ['terminate'],
    pipelines: { default: { apiEndpoints: ['api'], policies: [{ terminate: [{ action: { statusCode: 200, message: o.message } }] }] } },
  });
}

const gatewaySchema = s.object(
  {
    tls: s.map(
      s.object({ key: s.string({ description: 'private key file' }), cert: s.string({ description: 'certificate file' }), ca: s.array(s.string(), { description: 'chain files (also trusted for client certificates)' }) }, { required: ['key', 'cert'] }),
      "host glob or 'default' -> {key, cert, ca: [...]}; paths relative to cwd, as Express Gateway resolves them",
    ),
    port: s.integer({ minimum: 1, maximum: 65535, description: 'pin the HTTPS port (default: a free one, kept across restarts only when pinned)' }),
    cwd: workFile('write', "the gateway's working directory, relative to the work dir (default: the work dir)"),
    message: s.string({ description: 'what every request is answered with (terminate policy, 200)' }),
  },
  { required: ['tls'] },
);

export const gatewayService = defineService({
  kind: 'gateway',
  summary: "the real Express Gateway 1.16.11 serving HTTPS with document 003's tls: section (key, cert, ca per host glob or default)",
  schema: gatewaySchema,
  properties: ['url', 'host', 'port', 'confFile', 'dir'],
  peers: () => ['node', 'npm:express-gateway'],
  async start(spec, ctx) {
    const pkg = npmPeerDir('express-gateway', ctx.env);
    if (!pkg) throw new Error('express-gateway not found: npm run peers (installs express-gateway 1.16.11 into build/peers/)');
    const dir = join(ctx.workDir, 'services', ctx.name);
    const configDir = join(dir, 'config');
    await mkdir(join(configDir, 'models'), { recursive: true, mode: 0o700 });
    // Express Gateway requires its model definitions beside the config.
    await cp(join(pkg, 'lib', 'config', 'models'), join(configDir, 'models'), { recursive: true });
    if (spec.port) assertPortFree(spec.port);
    const confFile = join(configDir, 'gateway.config.yml');
    await writeFileAtomic(join(configDir, 'system.config.yml'), stringify(SYSTEM_CONFIG));
    const cwd = resolveWorkPath(ctx.workDir, spec.cwd ?? '.', 'write', 'gateway cwd');
    return retryingBusyPorts(async () => {
      const [port, adminPort] = [spec.port ?? (await daemonPort(ctx.host)), await daemonPort(ctx.host)];
      await writeFileAtomic(confFile, renderGatewayConfig({ port, adminPort, tls: spec.tls, message: spec.message ?? 'hello from express gateway' }));
      const daemon = startDaemon(['node', '-e', `require(${JSON.stringify(pkg)})().load(${JSON.stringify(configDir)}).run()`], { cwd, env: { ...ctx.env, LOG_LEVEL: 'info' }, log: ctx.log });
      try {
        await waitForPort(daemon, ctx.host, port, 30_000);
      } catch (e) {
        await daemon.stop();
        const said = daemon.output().split('\n').filter((l) => /error|Error/.test(l)).slice(0, 2).join(' | ');
        throw new Error(`${(e as Error).message}${said ? ` (${said})` : ''}`);
      }
      return { props: { url: `https://localhost:${port}`, host: ctx.host, port, confFile, dir }, stop: () => daemon.stop() };
    });
  },
});
