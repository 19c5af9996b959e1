// `tls-probe`: connect and report, without sending HTTP: protocol, cipher, the chain, whether
// it verifies, and whether the server asks for a client certificate and which CA names it
// sends. The handshake is made with node:tls; the CertificateRequest, which no Node API shows,
// is read from `openssl s_client` when openssl is installed.
//
//   - tls-probe: { url: "{{upstream.url}}", trust: ca }
//     expect: { clientCertRequested: true, acceptableCaNames: { contains: "C = US, O = Example, CN = Example CA" } }
import { s, type Infer } from '../scenario/schema.ts';
import { matcher, errorFields } from '../expect/vocabulary.ts';
import type { TlsClientOptions } from '../clients/https.ts';
import { handshakeVerdict, type HandshakeCapture } from '../clients/tls-handshake.ts';
import { runProcess } from '../clients/process.ts';
import { which } from '../runtime/index.ts';
import { trustAnchors, clientMaterial } from '../pki/material.ts';
import { tlsExpect } from './https.ts';
import { defineStep } from './types.ts';
import { exchangeExpect } from './exchange-expect.ts';
import { revocationExpect, revocationSetting, reachOf, serverRevocation } from './revocation-expect.ts';
import { scenarioNow } from './clock.ts';

export type TlsProbeSpec = Infer<typeof tlsProbeSchema>;

/** The CertificateRequest as openssl s_client prints it. */
export function parseClientCertRequest(out: string): { clientCertRequested: boolean; acceptableCaNames: string[] } {
  if (/No client certificate CA names sent/.test(out)) return { clientCertRequested: true, acceptableCaNames: [] };
  const m = /Acceptable client certificate CA names\n([^]*?)\n(?:Requested Signature Algorithms|Client Certificate Types|Shared Requested|Peer signing|---)/.exec(out);
  if (!m) return { clientCertRequested: false, acceptableCaNames: [] };
  return { clientCertRequested: true, acceptableCaNames: m[1]!.split('\n').map((l) => l.trim()).filter(Boolean) };
}

const tlsProbeSchema = s.object({
  url: s.string({ description: 'https://host:port (or give host and port)' }),
  host: s.string({ description: 'loopback address to connect to (default 127.0.0.1)' }),
  port: s.anyOf([s.integer({ minimum: 1, maximum: 65535 }), s.string()], 'port to connect to, e.g. "{{upstream.port}}"'),
  servername: s.string({ description: 'SNI and the name to verify' }),
  trust: s.anyOf([s.string({ ref: 'pki' }), s.array(s.string({ ref: 'pki' }))], 'CA item(s) to trust'),
  clientCert: s.string({ ref: 'pki', description: 'present this certificate item' }),
  insecure: s.boolean('do not fail on an unverified server certificate (still reported)'),
  minVersion: s.enum(['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'], 'lowest TLS version offered'),
  maxVersion: s.enum(['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'], 'highest TLS version offered'),
  alpn: s.array(s.string(), { description: 'ALPN protocols offered' }),
  revocation: revocationSetting,
});

export const tlsProbeStep = defineStep({
  kind: 'tls-probe',
  summary: 'connect without sending HTTP: protocol, cipher, chain, verification, and whether a client certificate is requested (and which CA names)',
  schema: tlsProbeSchema,
  expect: {
    ...(tlsExpect.type === 'object' ? tlsExpect.properties : {}),
    clientCertRequested: matcher('boolean', 'the server sent a CertificateRequest (required and optional look alike)'),
    acceptableCaNames: matcher('any', 'the CA names in it, as openssl prints them: "C = US, O = Example, CN = Example CA"'),
    revocation: revocationExpect,
    error: errorFields({ alert: matcher('string') }),
    ...exchangeExpect,
  },
  async execute(spec, ctx) {
    const url = spec.url ? new URL(spec.url) : undefined;
    const host = spec.host ?? url?.hostname.replace(/^\[|\]$/g, '') ?? '127.0.0.1';
    const port = Number(spec.port ?? url?.port ?? 443);
    const trust = spec.trust ? trustAnchors(ctx.world.pki, spec.trust) : undefined;
    const reach = reachOf(spec.revocation);
    const o: TlsClientOptions = {
      ...(trust ? { ca: trust } : {}),
      ...(spec.clientCert ? clientMaterial(ctx.world.pki, spec.clientCert) : {}),
      ...(spec.servername ? { servername: spec.servername } : {}),
      insecure: spec.insecure ?? !spec.trust,
      ...(spec.minVersion ? { minVersion: spec.minVersion } : {}),
      ...(spec.maxVersion ? { maxVersion: spec.maxVersion } : {}),
      ...(spec.alpn ? { alpn: spec.alpn } : {}),
      ...(reach ? { requestOcsp: true } : {}),
    };
    const capture: HandshakeCapture = {};
    let handshake = await handshakeVerdict(host, port, o, capture);
    if (reach && capture.chain?.length) {
      const r = await serverRevocation(capture, trust ?? [], reach, { now: scenarioNow(ctx), signal: ctx.signal });
      handshake = { ...handshake, ...('error' in r ? r : { revocation: r }) };
    }
    if (!which('openssl', ctx.env.PATH ?? '')) return { ...handshake, probeNote: 'openssl not found: clientCertRequested is unknown (apt-get install openssl)' };
    const args = ['s_client', '-connect', `${host.includes(':') ? `[${host}]` : host}:${port}`, ...(spec.servername ? ['-servername', spec.servername] : [])];
    const r = await runProcess(['openssl', ...args], { cwd: ctx.workDir, env: ctx.env, stdin: '', signal: ctx.signal });
    return { ...handshake, ...parseClientCertRequest(r.stdout + r.stderr) };
  },
});
