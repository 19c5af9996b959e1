// `nginx`: the real nginx, in either of document 001's roles, with a rendered nginx.conf in
// <workDir>/services/<name>/ and never touching /etc/nginx.
//
//   services:
//     front: { kind: nginx, role: proxy, to: upstream, clientCert: client, trust: ca, verify: true }
//     tls:   { kind: nginx, role: terminator, cert: server, clientCa: ca, verifyClient: on }
import { mkdir, writeFile, copyFile, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { s, type Infer } from '../../scenario/schema.ts';
import { defineService } from '../types.ts';
import { certificateItem, trustAnchors } from '../../pki/material.ts';
import { startDaemon, waitForPort, assertPortFree } from '../../clients/daemon.ts';
import { daemonPort, retryingBusyPorts } from '../../net/daemon-port.ts';
import { renderNginxConf, type NginxConf, type NginxProxyConf, type NginxTerminatorConf } from './config.ts';
import { writeFileAtomic } from '../../util/atomic-write.ts';
import { currentCrlsPem } from '../../pki/crl.ts';
import { primeStapling } from './stapling.ts';

export type NginxSpec = Infer<typeof nginxSchema>;

const BIND_ATTEMPTS = 3;

const nginxSchema = s.object(
  {
    role: s.enum(['proxy', 'terminator'], 'proxy: plain HTTP in, HTTPS with a client certificate out; terminator: HTTPS that checks client certificates'),
    to: s.string({ ref: 'service', description: 'proxy: the upstream service (proxy_pass)' }),
    target: s.string({ description: 'proxy: or an upstream URL', check: upstreamUrlProblem }),
    clientCert: s.string({ ref: 'pki', description: 'proxy: proxy_ssl_certificate and _key' }),
    trust: s.string({ ref: 'pki', description: 'proxy: proxy_ssl_trusted_certificate' }),
    verify: s.boolean('proxy: proxy_ssl_verify (default: on when trust is given)'),
    verifyDepth: s.integer({ minimum: 0, description: 'proxy_ssl_verify_depth / ssl_verify_depth' }),
    name: s.string({ description: 'proxy: proxy_ssl_name' }),
    sni: s.boolean('proxy: proxy_ssl_server_name (default off)'),
    keepalive: s.integer({ minimum: 1, maximum: 1024, description: 'proxy: keep this many idle connections to the upstream, as production nginx is tuned (an upstream block with keepalive, proxy_http_version 1.1, proxy_ssl_session_reuse on); absent, document 001\'s proxy makes a connection per request' }),
    cert: s.string({ ref: 'pki', description: 'terminator: ssl_certificate and _key' }),
    clientCa: s.string({ ref: 'pki', description: 'terminator: ssl_client_certificate' }),
    verifyClient: s.enum(['on', 'optional', 'optional_no_ca', 'off'], 'terminator: ssl_verify_client (default on with clientCa)'),
    ocsp: s.string({ ref: 'service', description: 'terminator: ssl_ocsp on, asking this ocsp service (ssl_ocsp_responder) about each client certificate, uncached: a revocation counts at once' }),
    stapling: s.string({ ref: 'service', description: 'terminator: ssl_stapling on with ssl_stapling_verify, asking this ocsp service (ssl_stapling_responder) about the server certificate. nginx fetches the answer on a first handshake and keeps it until its nextUpdate; the service counts as started once nginx has asked' }),
    crl: s.anyOf(
      [s.string({ ref: 'pki' }), s.array(s.string({ ref: 'pki' }))],
      'terminator: ssl_crl with the current CRLs of these CA items (name every CA of the client chain). nginx reads it at start: after a revoke step, a restart step (a reload, in production) makes it see the revocation',
    ),
    protocols: s.array(s.enum(['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3']), { description: 'ssl_protocols / proxy_ssl_protocols (default TLSv1.2 TLSv1.3)' }),
    port: s.integer({ minimum: 1, maximum: 65535, description: 'pin the port (default: a free one)' }),
  },
  { required: ['role'] },
);

/**
 * Why nginx.conf cannot hold this upstream URL, if it cannot: it must be http(s), with a host of
 * name or address characters only (a `;` or `}` there would end the directive and start
 * another). Checked at load for a literal `target:`, and at start once references are resolved.
 */
function upstreamUrlProblem(target: string): string | undefined {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return 'is not a URL';
  }
  if (!['https:', 'http:'].includes(url.protocol) || !/^([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(:\d+)?$/.test(url.host)) return 'is not an http(s) URL whose host is a name or an address, as nginx needs';
  return undefined;
}

/** The upstream URL, written as given (in quotes): nginx passes a URL with a path differently from one without. */
function nginxUpstreamUrl(target: string | undefined): string {
  if (!target) throw new Error('role proxy needs `to` (a service) or `target` (a URL)');
  const problem = upstreamUrlProblem(target);
  if (problem) throw new Error(`target ${JSON.stringify(target.slice(0, 200))} ${problem}`);
  return target;
}

export const nginxService = defineService({
  kind: 'nginx',
  summary: 'the real nginx as document 001\'s client-certificate proxy (role: proxy) or as an mTLS terminator (role: terminator)',
  schema: nginxSchema,
  properties: ['url', 'host', 'port', 'confFile', 'errorLog', 'accessLog', 'dir'],
  peers: (spec) => (spec.stapling ? ['nginx', 'openssl'] : ['nginx']),
  async start(spec, ctx) {
    const dir = join(ctx.workDir, 'services', ctx.name);
    for (const sub of ['logs', 'temp', 'certs']) await mkdir(join(dir, sub), { recursive: true, mode: 0o700 });
    // Copies of the PKI files under the prefix, so the rendered config is self-contained.
    const copyItem = async (name: string, role: string, base: string) => {
      const { props } = certificateItem(ctx.pki, name, role);
      const cert = `certs/${base}.crt`;
      const key = `certs/${base}.key`;
      await copyFile(props.fullchainFile!, join(dir, cert));
      await copyFile(props.keyFile!, join(dir, key));
      await chmod(join(dir, key), 0o600);
      let passwordFile: string | undefined;
      if (props.keyPassword !== undefined) {
        passwordFile = `certs/${base}.pass`;
        await writeFileAtomic(join(dir, passwordFile), `${props.keyPassword}\n`, 0o600);
      }
      return { cert, key, ...(passwordFile ? { passwordFile } : {}) };
    };
    const copyCa = async (name: string, role: string, base: string) => {
      await writeFile(join(dir, `certs/${base}.crt`), trustAnchors(ctx.pki, name, role).join(''));
      return `certs/${base}.crt`;
    };
    const ocspUrl = (name: string) => {
      const url = ctx.services[name]?.url;
      if (typeof url !== 'string' || !url.startsWith('http://')) throw new Error(`ocsp: ${name} is not a running ocsp service`);
      return url;
    };
    const writeCrls = async (names: string | string[]) => {
      await writeFileAtomic(join(dir, 'certs/client.crl'), (await currentCrlsPem(Array.isArray(names) ? names : [names], ctx.pki, ctx.revocations)).join(''));
      return 'certs/client.crl';
    };
    const writeIssuers = async (name: string) => {
      const { issuers } = certificateItem(ctx.pki, name, 'cert');
      if (!issuers.length) throw new Error(`stapling: ${name} is self-signed: no CA answers OCSP about it`);
      await writeFile(join(dir, 'certs/stapling-chain.crt'), issuers.map((c) => c.toString('pem') + '\n').join(''));
      return 'certs/stapling-chain.crt';
    };
    const protocols = spec.protocols ?? ['TLSv1.2', 'TLSv1.3'];
    let conf: Omit<NginxProxyConf, 'port'> | Omit<NginxTerminatorConf, 'port'>;
    if (spec.role === 'proxy') {
      const upstreamUrl = nginxUpstreamUrl(spec.to ? String(ctx.services[spec.to]?.url ?? '') : spec.target);
      const client = spec.clientCert ? await copyItem(spec.clientCert, 'clientCert', 'client') : undefined;
      conf = {
        role: 'proxy',
        host: ctx.host,
        protocols,
        upstreamUrl,
        ...(client ? { clientCert: client.cert, clientKey: client.key, ...(client.passwordFile ? { passwordFile: client.passwordFile } : {}) } : {}),
        ...(spec.trust ? { trusted: await copyCa(spec.trust, 'trust', 'trusted') } : {}),
        verify: spec.verify ?? Boolean(spec.trust),
        ...(spec.verifyDepth !== undefined ? { verifyDepth: spec.verifyDepth } : {}),
        ...(spec.name ? { name: spec.name } : {}),
        sni: spec.sni ?? false,
        ...(spec.keepalive ? { keepalive: spec.keepalive } : {}),
      };
    } else {
      if (!spec.cert) throw new Error('role terminator needs cert');
      const server = await copyItem(spec.cert, 'cert', 'server');
      conf = {
        role: 'terminator',
        host: ctx.host,
        protocols,
        cert: server.cert,
        key: server.key,
        ...(server.passwordFile ? { passwordFile: server.passwordFile } : {}),
        ...(spec.clientCa ? { clientCa: await copyCa(spec.clientCa, 'clientCa', 'client-ca') } : {}),
        verifyClient: spec.verifyClient ?? (spec.clientCa ? 'on' : 'off'),
        ...(spec.verifyDepth !== undefined ? { verifyDepth: spec.verifyDepth } : {}),
        ...(spec.crl ? { crl: await writeCrls(spec.crl) } : {}),
        ...(spec.ocsp ? { ocspResponder: ocspUrl(spec.ocsp) } : {}),
        ...(spec.stapling ? { stapling: { responder: ocspUrl(spec.stapling), trusted: await writeIssuers(spec.cert) } } : {}),
      };
    }
    const confFile = join(dir, 'nginx.conf');
    // nginx cannot bind port 0 and report the port: it gets one chosen for it.
    if (spec.port) assertPortFree(spec.port);
    return retryingBusyPorts(async () => {
      const port = spec.port ?? (await daemonPort(ctx.host));
      await writeFile(confFile, renderNginxConf({ ...conf, port } as NginxConf));
      const daemon = startDaemon(['nginx', '-p', dir, '-c', 'nginx.conf', '-e', 'logs/error.log'], { cwd: dir, env: ctx.env, log: (l) => ctx.log(l) });
      try {
        await waitForPort(daemon, ctx.host, port);
        if (spec.stapling) ctx.log(await primeStapling(ctx.host, port, join(dir, 'logs', 'error.log'), dir, ctx.env));
      } catch (e) {
        await daemon.stop();
        throw e;
      }
      const scheme = spec.role === 'proxy' ? 'http' : 'https';
      return {
        props: { url: `${scheme}://${ctx.host}:${port}`, host: ctx.host, port, confFile, errorLog: join(dir, 'logs', 'error.log'), accessLog: join(dir, 'logs', 'access.log'), dir },
        stop: () => daemon.stop(),
      };
    }, spec.port ? 1 : BIND_ATTEMPTS);
  },
});
