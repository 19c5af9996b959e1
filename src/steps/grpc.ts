// `grpc`: one call to a gRPC server with the credentials document 002 configures, from PKI
// items or from the document's client JSON. The result separates the failures grpc-js folds
// into UNAVAILABLE (tlsError: hostname-mismatch, certificate-required, unknown-ca, expired...).
//
//   - grpc: { target: "{{server.address}}", rootCert: rootCA, clientCert: client, options: { grpc.ssl_target_name_override: localhost } }
//     expect: { status: OK, response: { clientCertificate: { commonName: client } } }
//   - grpc: { target: "{{server.address}}", config: client.json }      # the document's settings, in the work dir
//     expect: { status: UNAVAILABLE, tlsError: hostname-mismatch }
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { s, duration, type Infer } from '../scenario/schema.ts';
import { resolveWorkPath, workFile } from '../scenario/work-path.ts';
import { parseDuration } from '../scenario/duration.ts';
import { matcher, errorFields } from '../expect/vocabulary.ts';
import type { GrpcCallOptions } from '../clients/grpc/client.ts';
import { readGrpcConfig, GrpcConfigError } from '../clients/grpc/config.ts';
import { clientMaterial, trustAnchors } from '../pki/material.ts';
import { defineStep } from './types.ts';
import { failedAt, grpcPhase } from '../clients/exchange.ts';
import { exchangeExpect } from './exchange-expect.ts';
import { unknownChannelOption } from '../clients/grpc/channel-options.ts';
import { diagnoseConnectionFailure } from '../clients/grpc/diagnose.ts';

export type GrpcStepSpec = Infer<typeof grpcSchema>;

const grpcSchema = s.object(
  {
    target: s.string({ description: 'host:port, usually {{server.address}} (127.0.0.1:port) or {{server.target}} (localhost:port)' }),
    call: s.enum(['echo', 'stream', 'health'], 'Echo (default), the server-streaming Stream, or grpc.health.v1.Health/Check'),
    proto: s.string({ inputFile: true, description: 'or a method of your own .proto (relative to the scenario file), with service and method' }),
    service: s.string({ description: 'package.Service in proto' }),
    method: s.string({ description: 'the method to call' }),
    request: s.any('the request message, as YAML'),
    message: s.string({ description: 'the text the echo service sends back' }),
    count: s.integer({ minimum: 1, maximum: 1000, description: 'replies for stream' }),
    plaintext: s.boolean('no TLS (use_secure_connection false)'),
    rootCert: s.string({ ref: 'pki', description: 'root the server must chain to (ssl_root_cert)' }),
    clientCert: s.string({ ref: 'pki', description: 'client certificate item and key (ssl_cert, ssl_private_key)' }),
    config: workFile('read', "the document's client JSON, relative to the work directory (its paths relative to it)"),
    options: s.object(
      {},
      {
        additional: s.anyOf([s.string(), s.number()]),
        description: 'channel options, e.g. grpc.ssl_target_name_override: localhost, grpc.default_authority; only the names grpc-js knows',
        check: (o) => Object.keys(o).flatMap((key) => {
          const message = unknownChannelOption(key);
          return message ? [{ key, message }] : [];
        }),
      },
    ),
    deadline: duration('deadline of the call (default 5s)'),
    metadata: s.map(s.string(), 'call metadata (headers) sent with the request'),
  },
  { required: ['target'] },
);

export const grpcStep = defineStep({
  kind: 'grpc',
  summary: "a gRPC call (grpc-js) with document 002's credentials; UNAVAILABLE says which TLS failure was underneath",
  schema: grpcSchema,
  expect: {
    status: matcher('string', 'OK, UNAVAILABLE, UNAUTHENTICATED, DEADLINE_EXCEEDED...'),
    code: matcher('number'),
    details: matcher('string'),
    response: matcher('any', 'the reply: message, peer, authority, transportSecurity, clientCertificate {presented, subject, issuer, serial, commonName}; Health: status'),
    responses: matcher('any', 'stream replies'),
    tlsError: matcher('string', "under UNAVAILABLE: hostname-mismatch, certificate-required, unknown-ca, expired, unsupported-certificate, closed-after-handshake (the server refused the client without an alert), plaintext-mismatch, connection-reset, connection-refused, connection-failed (nothing more could be told)"),
    diagnosis: matcher('string', 'when grpc-js said only "Failed to connect": what one TLS handshake with the same credentials met'),
    lastError: matcher('string', 'grpc-js "Last error" text'),
    warnings: matcher('any', 'warnings about the config (Python True...)'),
    error: errorFields(),
    ...exchangeExpect,
  },
  defaultExpect: () => ({ status: 'OK' }),
  async execute(spec, ctx) {
    const options: Record<string, string | number> = { ...spec.options };
    let o: Omit<GrpcCallOptions, 'target' | 'call' | 'deadlineMs' | 'options'>;
    let warnings: string[] = [];
    if (spec.config) {
      try {
        const cfg = readGrpcConfig(resolveWorkPath(ctx.workDir, spec.config, 'read', 'grpc config'), 'client');
        warnings = cfg.warnings;
        for (const [k, v] of cfg.options) options[k] ??= v;
        o = cfg.useSecureConnection
          ? { plaintext: false, rootCert: await readFile(cfg.rootCert), privateKey: await readFile(cfg.privateKey), certChain: await readFile(cfg.cert) }
          : { plaintext: true };
      } catch (e) {
        return { error: { code: e instanceof GrpcConfigError ? 'bad-config' : ((e as NodeJS.ErrnoException).code ?? 'unreadable'), message: (e as Error).message }, warnings, ...failedAt('client-setup') };
      }
    } else if (spec.plaintext) o = { plaintext: true };
    else {
      const client = spec.clientCert ? clientMaterial(ctx.world.pki, spec.clientCert) : undefined;
      o = {
        plaintext: false,
        ...(spec.rootCert ? { rootCert: Buffer.from(trustAnchors(ctx.world.pki, spec.rootCert, 'rootCert').join('')) } : {}),
        ...(client ? { privateKey: Buffer.from(client.key), certChain: Buffer.from(client.cert) } : {}),
      };
    }
    const user = spec.proto ? { proto: resolve(ctx.world.scenarioDir, spec.proto), service: spec.service ?? '', method: spec.method ?? '', request: spec.request ?? {} } : undefined;
    // grpc-js and protobufjs load only when a scenario makes a call.
    const { grpcCall } = await import('../clients/grpc/client.ts');
    const r = await grpcCall({ target: spec.target, call: user ? 'user' : spec.call ?? 'echo', ...(user ? { user } : {}), ...(spec.message !== undefined ? { message: spec.message } : {}), ...(spec.count ? { count: spec.count } : {}), ...o, options, deadlineMs: parseDuration(spec.deadline ?? '5s') ?? 5000, ...(spec.metadata ? { metadata: spec.metadata } : {}) });
    const result = { ...r, ...grpcPhase(r.status, r.details), ...(warnings.length ? { warnings } : {}) };
    if (r.tlsError !== 'connection-failed') return result;
    const servername = options['grpc.ssl_target_name_override'];
    const diagnosis = await diagnoseConnectionFailure(spec.target, o, servername === undefined ? undefined : String(servername));
    return diagnosis ? { ...result, ...diagnosis } : result;
  },
});
