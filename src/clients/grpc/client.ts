// One gRPC call with @grpc/grpc-js and the credentials document 002 describes; the result says
// which status came back and, for UNAVAILABLE, which TLS failure was underneath: grpc-js reports
// every one of them as "14 UNAVAILABLE: No connection established. Last error: ...".
import * as grpc from '@grpc/grpc-js';
import { loadBundledServices, STATUS_NAMES } from './protos.ts';
import { loadUserService } from './user-protos.ts';

export interface GrpcCallOptions {
  target: string;
  call: 'echo' | 'stream' | 'health' | 'user';
  /** call 'user': a method of a user's service, and its request. */
  user?: { proto: string; service: string; method: string; request: unknown };
  message?: string;
  count?: number;
  plaintext: boolean;
  rootCert?: Buffer;
  privateKey?: Buffer;
  certChain?: Buffer;
  options: Record<string, string | number>;
  deadlineMs: number;
  metadata?: Record<string, string>;
}

export interface GrpcCallResult {
  code: number;
  status: string;
  details: string;
  response?: unknown;
  responses?: unknown[];
  /** The TLS failure under an UNAVAILABLE: hostname-mismatch, certificate-required, unknown-ca, expired, connection-reset, plaintext-mismatch... */
  tlsError?: string;
  lastError?: string;
  error?: { code: string; message: string };
}

/** Classifies grpc-js's "Last error" text (observed with grpc-js 1.14; see docs/scenarios.md). */
export function classifyLastError(details: string): string | undefined {
  const rules: [RegExp, string][] = [
    [/ERR_TLS_CERT_ALTNAME_INVALID|does not match certificate's altnames|Peer name .* is not in peer certificate/i, 'hostname-mismatch'],
    [/alert certificate required|CertificateRequired|ALERT_CERTIFICATE_REQUIRED|alert number 116/i, 'certificate-required'],
    [/certificate has expired|CERT_HAS_EXPIRED/i, 'expired'],
    [/self[- ]signed certificate|unable to verify|unable to get local issuer|UNKNOWN_CA|unknown ca/i, 'unknown-ca'],
    // OpenSSL words it "wrong version number", BoringSSL (Bun) WRONG_VERSION_NUMBER.
    [/wrong[ _]version[ _]number|packet length too long|http\/1\.x|Protocol error/i, 'plaintext-mismatch'],
    [/ECONNRESET|socket hang up|Connection reset/i, 'connection-reset'],
    // grpc-js 1.14 sometimes reports a server that dropped the handshake as this alone.
    [/Failed to connect/i, 'connection-failed'],
    [/ECONNREFUSED/i, 'connection-refused'],
  ];
  return rules.find(([re]) => re.test(details))?.[1];
}

export async function grpcCall(o: GrpcCallOptions): Promise<GrpcCallResult> {
  let credentials: grpc.ChannelCredentials;
  try {
    credentials = o.plaintext ? grpc.credentials.createInsecure() : grpc.credentials.createSsl(o.rootCert ?? null, o.privateKey ?? null, o.certChain ?? null);
  } catch (e) {
    // createSsl checks the key against the certificate synchronously: ERR_OSSL_X509_KEY_VALUES_MISMATCH.
    return { code: -1, status: 'CREDENTIALS', details: (e as Error).message, error: { code: (e as { code?: string }).code ?? 'ERR_CREDENTIALS', message: (e as Error).message } };
  }
  const { Health, Echo } = loadBundledServices();
  let Client = o.call === 'health' ? Health : Echo;
  if (o.call === 'user') {
    try {
      Client = loadUserService(o.user!.proto, o.user!.service).client;
    } catch (e) {
      return { code: -1, status: 'PROTO', details: (e as Error).message, error: { code: 'bad-proto', message: (e as Error).message } };
    }
  }
  const client = new Client(o.target, credentials, o.options) as unknown as Record<string, (...a: unknown[]) => unknown> & grpc.Client;
  const deadline = new Date(Date.now() + o.deadlineMs);
  const md = new grpc.Metadata();
  for (const [k, v] of Object.entries(o.metadata ?? {})) md.set(k, v);
  const fail = (err: grpc.ServiceError): GrpcCallResult => {
    const last = /Last error: (.*)$/.exec(err.details ?? '')?.[1];
    const tlsError = classifyLastError(err.details ?? '');
    return { code: err.code, status: STATUS_NAMES[err.code] ?? String(err.code), details: err.details ?? err.message, ...(tlsError ? { tlsError } : {}), ...(last ? { lastError: last } : {}) };
  };
  try {
    const userMethod = o.call === 'user' ? Client.service[o.user!.method] ?? Object.values(Client.service).find((m) => m.originalName === o.user!.method) : undefined;
    if (o.call === 'user' && !userMethod) return { code: -1, status: 'PROTO', details: `no method ${o.user!.method} in ${o.user!.service}`, error: { code: 'bad-proto', message: `no method ${o.user!.method} in ${o.user!.service} (methods: ${Object.keys(Client.service).join(', ')})` } };
    if (o.call === 'stream' || userMethod?.responseStream) {
      return await new Promise<GrpcCallResult>((resolve) => {
        const responses: unknown[] = [];
        const name = userMethod ? Object.keys(Client.service).find((k) => Client.service[k] === userMethod)! : 'stream';
        const request = userMethod ? o.user!.request : { message: o.message ?? '', count: o.count ?? 3 };
        const stream = (client[name] as (r: unknown, m: grpc.Metadata, opts: grpc.CallOptions) => grpc.ClientReadableStream<unknown>)(request, md, { deadline });
        stream.on('data', (d) => responses.push(d));
        stream.on('error', (e) => resolve({ ...fail(e as grpc.ServiceError), responses }));
        stream.on('end', () => resolve({ code: 0, status: 'OK', details: '', responses }));
      });
    }
    return await new Promise<GrpcCallResult>((resolve) => {
      const method = userMethod ? Object.keys(Client.service).find((k) => Client.service[k] === userMethod)! : o.call === 'health' ? 'check' : 'echo';
      const request = userMethod ? o.user!.request : o.call === 'health' ? { service: '' } : { message: o.message ?? '' };
      (client[method] as (r: unknown, m: grpc.Metadata, opts: grpc.CallOptions, cb: (e: grpc.ServiceError | null, r: unknown) => void) => void)(request, md, { deadline }, (err, response) =>
        resolve(err ? fail(err) : { code: 0, status: 'OK', details: '', response }),
      );
    });
  } finally {
    client.close();
  }
}
