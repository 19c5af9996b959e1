// The gRPC server a `grpc-server` service runs: credentials from PKI items or the document's
// JSON, the bundled Health and Echo, and the scenario's own services with canned replies.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import type { RunningService, ServiceContext } from '../types.ts';
import { NO_ALPN_NEEDS, type GrpcServerSpec } from './index.ts';
import { serverMaterial, trustAnchors } from '../../pki/material.ts';
import { loadBundledServices } from '../../clients/grpc/protos.ts';
import { loadUserService } from '../../clients/grpc/user-protos.ts';
import { readGrpcConfig } from '../../clients/grpc/config.ts';
import { certificateFacts } from '../../clients/tls-details.ts';
import { terminateWithoutAlpn } from './no-alpn.ts';

type Call = grpc.ServerUnaryCall<{ message?: string; count?: number }, unknown> | grpc.ServerWritableStream<{ message?: string; count?: number }, unknown>;

/**
 * What the server saw of a call. grpc-js's auth context is empty on a TLS connection whose
 * client sent no certificate, so the transport is named from how the server listens.
 */
function seen(call: Call, tls: boolean, message: string, sequence = 0) {
  const auth = call.getAuthContext?.();
  const peerCert = auth?.sslPeerCertificate;
  const cert = peerCert && peerCert.raw ? certificateFacts(peerCert) : undefined;
  return {
    message,
    peer: call.getPeer(),
    authority: typeof call.getHost === 'function' ? call.getHost() : '',
    transportSecurity: auth?.transportSecurityType ?? (tls ? 'ssl' : 'insecure'),
    clientCertificate: cert ? { presented: true, subject: cert.subject, issuer: cert.issuer, serial: cert.serial, commonName: cert.commonName ?? '' } : { presented: false },
    sequence,
  };
}

export async function startGrpcServer(spec: GrpcServerSpec, ctx: ServiceContext): Promise<RunningService> {
  let credentials: grpc.ServerCredentials;
  let tls = false;
  if (spec.config) {
    const cfg = readGrpcConfig(resolve(ctx.scenarioDir, spec.config), 'server');
    for (const w of cfg.warnings) ctx.log(`warning: ${w}`);
    tls = cfg.useSecureConnection;
    credentials = cfg.useSecureConnection
      ? grpc.ServerCredentials.createSsl(readFileSync(cfg.rootCert), [{ private_key: readFileSync(cfg.privateKey), cert_chain: readFileSync(cfg.cert) }], true)
      : grpc.ServerCredentials.createInsecure();
  } else if (spec.plaintext || !spec.cert) {
    credentials = grpc.ServerCredentials.createInsecure();
  } else {
    const m = serverMaterial(ctx.pki, spec.cert);
    tls = true;
    const root = spec.rootCert ? Buffer.from(trustAnchors(ctx.pki, spec.rootCert, 'rootCert').join('')) : null;
    credentials = grpc.ServerCredentials.createSsl(root, [{ private_key: Buffer.from(m.key), cert_chain: Buffer.from(m.cert) }], spec.checkClientCertificate ?? Boolean(root));
  }
  const { Health, Echo } = loadBundledServices();
  const server = new grpc.Server();
  server.addService(Health.service, {
    check: (_call: unknown, cb: grpc.sendUnaryData<unknown>) => cb(null, { status: 'SERVING' }),
    watch: (call: grpc.ServerWritableStream<unknown, unknown>) => call.write({ status: 'SERVING' }),
  });
  server.addService(Echo.service, {
    echo: (call: grpc.ServerUnaryCall<{ message?: string }, unknown>, cb: grpc.sendUnaryData<unknown>) => {
      ctx.log(`Echo from ${call.getPeer()}`);
      cb(null, seen(call, tls, call.request.message ?? ''));
    },
    stream: (call: grpc.ServerWritableStream<{ message?: string; count?: number }, unknown>) => {
      const n = call.request.count || 3;
      for (let i = 1; i <= n; i++) call.write(seen(call, tls, call.request.message ?? '', i));
      call.end();
    },
  });
  for (const p of spec.protos ?? []) {
    const user = loadUserService(resolve(ctx.scenarioDir, p.file), p.service);
    const handlers: grpc.UntypedServiceImplementation = {};
    for (const [method, m] of Object.entries(user.definition)) {
      const canned = p.responses?.[method] ?? p.responses?.[m.originalName ?? method] ?? {};
      handlers[method] = m.responseStream
        ? (call: grpc.ServerWritableStream<unknown, unknown>) => {
            for (const reply of Array.isArray(canned) ? canned : [canned]) call.write(reply);
            call.end();
          }
        : (_call: unknown, cb: grpc.sendUnaryData<unknown>) => cb(null, Array.isArray(canned) ? canned[0] : canned);
    }
    server.addService(user.definition, handlers);
  }
  const withoutAlpn = spec.alpn === false ? noAlpnMaterial(spec, ctx) : undefined;
  // Without ALPN the gRPC server speaks plaintext on a port of its own, behind the terminator.
  const bound = await new Promise<number>((resolvePort, reject) => server.bindAsync(`${ctx.host}:${withoutAlpn ? 0 : spec.port ?? 0}`, withoutAlpn ? grpc.ServerCredentials.createInsecure() : credentials, (err, p) => (err ? reject(err) : resolvePort(p))));
  const terminator = withoutAlpn ? await terminateWithoutAlpn(withoutAlpn, { host: ctx.host, port: bound }, { host: ctx.host, port: spec.port }, ctx.log) : undefined;
  const port = terminator?.port ?? bound;
  return {
    props: { address: `${ctx.host}:${port}`, host: ctx.host, port, target: `localhost:${port}` },
    async stop() {
      await terminator?.close();
      await new Promise<void>((done) => {
        const timer = setTimeout(() => (server.forceShutdown(), done()), 2000);
        server.tryShutdown(() => (clearTimeout(timer), done()));
      });
    },
  };
}

/** The certificate the no-ALPN terminator serves: its own TLS, so client certificates and the document's config are not for it. */
function noAlpnMaterial(spec: GrpcServerSpec, ctx: ServiceContext): { cert: string; key: string } {
  // The loader refuses these (the schema's check); a spec made otherwise is refused here too.
  if (!spec.cert || spec.plaintext || spec.config || spec.rootCert) throw new Error(`alpn: ${NO_ALPN_NEEDS}`);
  return serverMaterial(ctx.pki, spec.cert);
}
