// The composition of the mock CA, like Pebble's cmd/pebble/main.go: store, nonces, CA, validator
// and routes, behind two HTTPS listeners (ACME API and management). The only place they meet.
import http from 'node:http';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { issuerOfListener, listenerIdentity } from './listener-identity.ts';
import { AcmeConfigError, caKeyType, splitListenAddress, type AcmeServerOptions } from './config.ts';
import { AcmeStore } from './state.ts';
import { NonceService } from './nonces.ts';
import { CertificateAuthority } from './ca.ts';
import { Validator } from './va.ts';
import { seededChance } from './chance.ts';
import { dispatch, type Route } from './wfe/http.ts';
import type { WfeContext } from './wfe/context.ts';
import { directoryRoutes } from './wfe/directory.ts';
import { accountRoutes } from './wfe/account.ts';
import { keyChangeRoutes } from './wfe/key-change.ts';
import { orderRoutes } from './wfe/order.ts';
import { authzRoutes } from './wfe/authz.ts';
import { certificateRoutes } from './wfe/certificate.ts';
import { renewalInfoRoutes } from './wfe/renewal-info.ts';
import { currentCaCrl, managementHandler } from './management.ts';
import { guarded } from '../request-guard.ts';
import { sendCrl } from '../plain-http.ts';
import { RateLimiter } from './rate-limits.ts';

const ROUTES: Route[] = [...directoryRoutes, ...accountRoutes, ...keyChangeRoutes, ...orderRoutes, ...authzRoutes, ...certificateRoutes, ...renewalInfoRoutes];

export interface RunningAcmeServer {
  directoryUrl: string;
  managementUrl?: string;
  host: string;
  port: number;
  managementPort?: number;
  /** PEM of the CA that signed the HTTPS listeners' certificate: what clients must trust. */
  tlsCaPem: string;
  /** PEM of issuance root 0, as /roots/0 serves it. */
  rootPem: string;
  /** The CRL distribution point in every leaf (plain HTTP), unless turned off. */
  crlUrl?: string;
  seed: number;
  context: WfeContext;
  stop(): Promise<void>;
}

function listen(server: http.Server | https.Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function close(server: http.Server | https.Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections?.();
    server.close(() => resolve());
  });
}

/** The plain-HTTP CRL distribution point (RFC 5280 §4.2.1.13), as Let's Encrypt's are: GET /0.crl (DER) or /0.crl.pem. */
async function listenForCrls(address: string, context: () => WfeContext, log: (line: string) => void): Promise<{ url: string; close(): Promise<void> }> {
  const { host, port } = splitListenAddress(address, 'crlListenAddress');
  const server = http.createServer((req, res) =>
    guarded(res, log, `crl ${req.url}`, async () => {
      req.resume();
      const m = /^\/0\.crl(\.pem)?$/.exec((req.url ?? '').split('?')[0]!);
      if (!m || (req.method !== 'GET' && req.method !== 'HEAD')) {
        res.writeHead(404, { 'content-type': 'text/plain' });
        return void res.end('the CRL is at /0.crl (DER) and /0.crl.pem\n');
      }
      sendCrl(req, res, await currentCaCrl(context()), m[1] !== undefined);
    }),
  );
  const bound = await listen(server, host, port);
  return { url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}/0.crl`, close: () => close(server) };
}

export async function startAcmeServer(options: AcmeServerOptions, log: (line: string) => void = () => {}): Promise<RunningAcmeServer> {
  const api = splitListenAddress(options.listenAddress, 'listenAddress');
  const mgmt = options.managementListenAddress ? splitListenAddress(options.managementListenAddress, 'managementListenAddress') : undefined;
  const startedAt = options.clock();
  let identity: { cert: string; key: string; ca: string };
  if (options.certificate || options.privateKey) {
    if (!options.certificate || !options.privateKey) throw new AcmeConfigError('certificate and privateKey go together');
    const read = (file: string, what: string) => {
      try {
        return readFileSync(file, 'utf8');
      } catch (e) {
        throw new AcmeConfigError(`${what} ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
      }
    };
    const cert = read(options.certificate, 'certificate');
    const ca = await issuerOfListener(cert, options.certificate);
    // Without its issuer, the certificate itself is the only trust that can be offered.
    if (!ca) log(`certharness: no file beside ${options.certificate} issued it: clients must trust its issuer themselves (put the CA after the certificate in the file)`);
    identity = { cert, key: read(options.privateKey, 'privateKey'), ca: ca ?? cert };
  } else {
    identity = await listenerIdentity(startedAt);
  }
  const chance = seededChance(options.seed);
  // The CA's clock: the configured one, or a time the management interface stopped it at
  // (POST /clock), so a scenario's frozen clock and the certificates it gets agree to the second.
  let frozen: Date | undefined;
  const now = () => frozen ?? options.clock();
  const store = new AcmeStore(now);
  // The CRL distribution point listens first: its URL goes into every leaf the CA signs.
  const crlPoint = options.crlListenAddress ? await listenForCrls(options.crlListenAddress, () => context, log) : undefined;
  let ca: CertificateAuthority;
  try {
    ca = await CertificateAuthority.create({
      keyType: caKeyType(options),
      chainLength: Math.max(1, options.chainLength),
      alternateRoots: options.alternateRoots,
      now: startedAt,
      ocspResponderURL: options.ocspResponderURL,
      ...(crlPoint ? { crlUrl: crlPoint.url } : {}),
      clientAuth: options.clientAuthEku,
    });
  } catch (e) {
    await crlPoint?.close();
    throw e;
  }
  const tasks = new Set<Promise<void>>();
  const context: WfeContext = {
    options,
    store,
    nonces: new NonceService(chance, options.nonceRejectPercent),
    ca,
    va: new Validator({ httpPort: options.httpPort, tlsPort: options.tlsPort, resolver: options.resolver, hosts: options.hosts, alwaysValid: options.vaAlwaysValid, sleepSeconds: options.vaSleepSeconds, chance, log }),
    chance,
    limits: new RateLimiter(options.rateLimits, now),
    defaultHost: `localhost:${api.port}`,
    startedAt,
    now,
    setNow(at) {
      frozen = at;
      log(`clock set to ${at.toISOString()}`);
    },
    log,
    background(task) {
      const p = task().catch((e) => log(`background task failed: ${(e as Error).message}`));
      tasks.add(p);
      void p.finally(() => tasks.delete(p));
    },
  };
  const apiServer = https.createServer({ cert: identity.cert, key: identity.key }, (req, res) => void dispatch(ROUTES, context, req, res));
  apiServer.keepAliveTimeout = 10_000;
  const port = await listen(apiServer, api.host, api.port);
  context.defaultHost = `localhost:${port}`;
  let mgmtServer: https.Server | undefined;
  let managementPort: number | undefined;
  try {
    if (mgmt) {
      mgmtServer = https.createServer({ cert: identity.cert, key: identity.key }, managementHandler(context));
      managementPort = await listen(mgmtServer, mgmt.host, mgmt.port);
    }
  } catch (e) {
    await Promise.all([close(apiServer), crlPoint?.close()]);
    throw e;
  }
  const urlHost = (h: string) => (h === '127.0.0.1' || h === '0.0.0.0' || h === '::' || h === '::1' ? 'localhost' : h.includes(':') ? `[${h}]` : h);
  log(`ACME directory at https://${urlHost(api.host)}:${port}/dir${managementPort ? `, management at https://${urlHost(mgmt!.host)}:${managementPort}` : ''} (seed ${chance.seed})`);
  return {
    directoryUrl: `https://${urlHost(api.host)}:${port}/dir`,
    ...(managementPort ? { managementUrl: `https://${urlHost(mgmt!.host)}:${managementPort}`, managementPort } : {}),
    host: api.host,
    port,
    tlsCaPem: identity.ca,
    rootPem: ca.managed('roots', 0)!,
    ...(crlPoint ? { crlUrl: crlPoint.url } : {}),
    seed: chance.seed,
    context,
    async stop() {
      await Promise.race([Promise.allSettled([...tasks]), new Promise((r) => setTimeout(r, 5000).unref())]);
      await Promise.all([close(apiServer), ...(mgmtServer ? [close(mgmtServer)] : []), crlPoint?.close()]);
    },
  };
}
