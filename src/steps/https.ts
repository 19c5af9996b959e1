// `https`: one HTTPS request with any client TLS settings, and what the handshake showed.
// A refusal is a result, not a crash: expect.error states the refusal a step wants.
//
//   - name: no client certificate is refused
//     https: { url: "{{upstream.url}}/hello/world", insecure: true }
//     expect: { error: { alert: certificate_required } }
//   - name: with the client certificate
//     https: { url: "{{upstream.url}}/hello/world", trust: ca, clientCert: client }
//     expect: { status: 200, json: { clientCertificate: { commonName: api-client } } }
import { s, type Infer } from '../scenario/schema.ts';
import { readWorkFile, workFile } from '../scenario/work-path.ts';
import { matcher, fields, errorFields } from '../expect/vocabulary.ts';
import { httpsRequest, type HttpsRequestOptions } from '../clients/https.ts';
import { readPkcs12 } from '../pki/pkcs12/read.ts';
import { trustAnchors, clientMaterial } from '../pki/material.ts';
import { loadPrivateKey } from '../pki/keys.ts';
import { defineStep, type StepContext } from './types.ts';
import { failedAt } from '../clients/exchange.ts';
import { exchangeExpect } from './exchange-expect.ts';
import { revocationExpect, revocationSetting, reachOf, serverRevocation } from './revocation-expect.ts';
import type { HandshakeCapture } from '../clients/tls-details.ts';
import { scenarioNow } from './clock.ts';

const TLS_VERSIONS = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const;

export type HttpsSpec = Infer<typeof httpsSchema>;

export const tlsExpect = fields({
  protocol: matcher('string', 'TLSv1.2, TLSv1.3'),
  cipher: matcher('string'),
  alpn: matcher('string'),
  authorized: matcher('boolean', 'the server certificate verified against the trust given'),
  authorizationError: matcher('string', 'why not: UNABLE_TO_VERIFY_LEAF_SIGNATURE, CERT_HAS_EXPIRED...'),
  peerChain: matcher('any', 'the chain the server sent, leaf first: subject, issuer, commonName, san, validFrom, validTo, serial, fingerprint'),
});

async function clientTls(spec: HttpsSpec, ctx: StepContext): Promise<Omit<HttpsRequestOptions, 'url'>> {
  const file = async (p: string) => (await readWorkFile(ctx.workDir, p, 'https file')).toString('utf8');
  const o: Omit<HttpsRequestOptions, 'url'> = {};
  if (spec.trust) o.ca = trustAnchors(ctx.world.pki, spec.trust);
  if (spec.ca) o.ca = [...((o.ca as string[] | undefined) ?? []), await file(spec.ca)];
  if (spec.insecure) o.insecure = true;
  if (spec.clientCert) Object.assign(o, clientMaterial(ctx.world.pki, spec.clientCert));
  if (spec.cert) o.cert = await file(spec.cert);
  // Decrypted here, as curl --pass would: TLS stacks differ in how they take a passphrase.
  if (spec.key) o.key = loadPrivateKey(await file(spec.key), spec.keyPassword, spec.key).object.export({ type: 'pkcs8', format: 'pem' }) as string;
  if (spec.pkcs12) {
    // Decoded here rather than passed as `pfx`: Node on OpenSSL 3 cannot read RC2-40 bundles.
    const info = readPkcs12(await readWorkFile(ctx.workDir, spec.pkcs12, 'https pkcs12'), spec.password ?? '', spec.pkcs12);
    if (!info.key || info.leafIndex < 0) throw Object.assign(new Error(`${spec.pkcs12} holds no key and certificate pair`), { code: 'bad-input' });
    o.key = info.key.pem;
    o.cert = info.certificates[info.leafIndex]!.pem;
  }
  if (spec.servername !== undefined && spec.servername !== true) o.servername = spec.servername;
  if (spec.minVersion) o.minVersion = spec.minVersion;
  if (spec.maxVersion) o.maxVersion = spec.maxVersion;
  if (spec.alpn) o.alpn = spec.alpn;
  if (spec.revocation) o.requestOcsp = true;
  return o;
}

const httpsSchema = s.object(
  {
    url: s.string({ description: 'https://... (usually {{service.url}}/path)' }),
    method: s.string({ description: 'HTTP method (default GET)' }),
    headers: s.map(s.string(), 'request headers'),
    body: s.string({ description: 'request body' }),
    trust: s.anyOf([s.string({ ref: 'pki' }), s.array(s.string({ ref: 'pki' }))], 'CA item(s) to trust'),
    ca: workFile('read', 'a CA file to trust (curl --cacert)'),
    insecure: s.boolean('do not verify the server certificate (curl -k)'),
    clientCert: s.string({ ref: 'pki', description: 'present this certificate item and its key' }),
    cert: workFile('read', 'client certificate file (curl --cert)'),
    key: workFile('read', 'client key file (curl --key)'),
    keyPassword: s.string({ description: 'password of an encrypted key (curl --pass)' }),
    pkcs12: workFile('read', 'client PKCS#12 file (curl --cert-type P12 --cert file:password)'),
    password: s.string({ description: 'its password' }),
    servername: s.anyOf([s.string(), s.boolean()], 'SNI and the name to verify; false sends no SNI, true is the default (the URL host)'),
    minVersion: s.enum(TLS_VERSIONS, 'lowest TLS version the client offers'),
    maxVersion: s.enum(TLS_VERSIONS, 'highest TLS version the client offers'),
    alpn: s.array(s.string(), { description: 'ALPN protocols offered' }),
    revocation: revocationSetting,
  },
  { required: ['url'] },
);

export const httpsStep = defineStep({
  kind: 'https',
  summary: 'an HTTPS request (undici) with any client TLS settings; the result has status, body, TLS details and the failure reason',
  schema: httpsSchema,
  expect: {
    status: matcher('number'),
    headers: matcher('any', 'response headers, names in lower case'),
    body: matcher('string'),
    json: matcher('any', 'the body parsed as JSON (nested fields allowed)'),
    tls: tlsExpect,
    timings: fields({ connectMs: matcher('number'), tlsMs: matcher('number'), firstByteMs: matcher('number'), totalMs: matcher('number') }),
    error: errorFields({ alert: matcher('string', 'the TLS alert received: certificate_required, unknown_ca, bad_certificate, handshake_failure...') }),
    revocation: revocationExpect,
    ...exchangeExpect,
  },
  defaultExpect: () => ({ status: { lt: 400 } }),
  async execute(spec, ctx) {
    let tlsOptions;
    try {
      tlsOptions = await clientTls(spec, ctx);
    } catch (e) {
      return { error: { code: (e as { code?: string }).code ?? 'bad-input', message: (e as Error).message }, ...failedAt('client-setup') };
    }
    const capture: HandshakeCapture = {};
    const r = await httpsRequest({ url: spec.url, ...(spec.method ? { method: spec.method } : {}), ...(spec.headers ? { headers: spec.headers } : {}), ...(spec.body !== undefined ? { body: spec.body } : {}), ...tlsOptions, capture, signal: ctx.signal });
    const reach = reachOf(spec.revocation);
    if (!reach || !capture.chain?.length) return { ...r } as Record<string, unknown>;
    const revocation = await serverRevocation(capture, [tlsOptions.ca ?? []].flat(), reach, { now: scenarioNow(ctx), signal: ctx.signal });
    // Asked for and not known is a failure of the step, unless the exchange had already failed.
    return { ...r, ...('error' in revocation ? (r.error ? {} : { error: revocation.error }) : { revocation }) } as Record<string, unknown>;
  },
});
