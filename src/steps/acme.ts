// `acme`: our ACME client against any directory (kind: acme, kind: pebble, or a URL). The account
// lives for the scenario, so later steps renew, revoke or roll the key of what earlier ones got.
// Certificates land in certbot's layout: <out>/{privkey,cert,chain,fullchain}.pem.
//
//   - acme: { server: ca, names: [app.example.com] }                       # http-01, standalone
//   - acme: { server: ca, action: renew }
//   - acme: { server: ca, action: revoke, reason: keyCompromise, by: certificateKey }
//   - acme: { server: ca, names: [down.example.com], respond: false }
//     expect: { status: invalid, error: { code: unauthorized, message: { contains: "returned 404" } } }
import { mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { s, type Infer } from '../scenario/schema.ts';
import { resolveWorkPath, workFile } from '../scenario/work-path.ts';
import { matcher, errorFields } from '../expect/vocabulary.ts';
import { AcmeClient, AcmeError } from '../clients/acme/client.ts';
import { issueCertificate, type IssueResult } from '../clients/acme/issue.ts';
import { http01Standalone, http01Webroot, tlsAlpn01Standalone, type ChallengeResponder } from '../clients/acme/responders.ts';
import { REVOCATION_REASONS, type Problem } from '../clients/acme/wire.ts';
import { generateKey, loadPrivateKey, exportPrivateKey, type PrivateKeyMaterial } from '../pki/keys.ts';
import { KEY_TYPES } from '../pki/key-spec.ts';
import { x509 } from '../pki/crypto.ts';
import { writeFileAtomic } from '../util/atomic-write.ts';
import { defineStep, type StepContext, type TimelineMark } from './types.ts';
import { when } from '../pki/declare.ts';
import { resolveWhen } from '../pki/when.ts';
import { createTransport } from '../clients/acme/transport.ts';
import { scenarioNow } from './clock.ts';
import { certIdOfPem } from '../clients/acme/cert-id.ts';

export const ACME_ACTIONS = ['issue', 'renew', 'revoke', 'register', 'deactivate', 'key-change', 'renewal-info', 'move-window'] as const;

export type AcmeStepSpec = Infer<typeof acmeSchema>;

/** What one scenario remembers per account: the key, the URL, and the last certificate. */
interface AccountState {
  key: PrivateKeyMaterial;
  url?: string;
  last?: { certPem: string; keyPem: string; names: string[]; dir: string; certId?: string };
}


/** POST set-renewal-info to the service's management interface, as Pebble takes it. */
async function moveWindow(spec: AcmeStepSpec, server: Record<string, unknown> | undefined, certId: string, now: Date): Promise<Record<string, unknown>> {
  if (!spec.window) return { error: { code: 'bad-input', message: 'move-window needs window: { start, end }' } };
  if (typeof server?.managementUrl !== 'string' || !server.managementUrl || typeof server.caFile !== 'string') return { error: { code: 'no-management', message: 'move-window needs a server: an acme or pebble service with a management interface' } };
  const suggestedWindow = { start: resolveWhen(spec.window.start, now).toISOString(), end: resolveWhen(spec.window.end, now).toISOString() };
  const transport = createTransport({ ca: await readFile(server.caFile, 'utf8') });
  try {
    const res = await transport.request('POST', `${server.managementUrl}/set-renewal-info/`, { body: JSON.stringify({ certID: certId, suggestedWindow }), contentType: 'application/json' });
    if (res.status !== 200) return { error: { code: `http-${res.status}`, message: `set-renewal-info: ${res.body.toString().trim()}` } };
    return { status: 'moved', certId, suggestedWindow };
  } finally {
    await transport.close();
  }
}

function dnsNames(pem: string): string[] {
  const san = new x509.X509Certificate(pem).getExtension(x509.SubjectAlternativeNameExtension);
  return san ? Array.from(san.names.items, (g) => g.value) : [];
}

/** Does leaf -> intermediates -> root verify, signature by signature? */
function chainVerifies(chainPem: string, rootPem: string | undefined): boolean | undefined {
  if (!rootPem) return undefined;
  const split = (pem: string) => pem.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? [];
  const certs = [...split(chainPem), ...split(rootPem)].map((p) => new X509Certificate(p));
  for (let i = 0; i + 1 < certs.length; i++) if (!certs[i]!.checkIssued(certs[i + 1]!) || !certs[i]!.verify(certs[i + 1]!.publicKey)) return false;
  return certs.length >= 2;
}

function problemFields(e: unknown): Record<string, unknown> {
  if (e instanceof AcmeError) return { error: { code: e.type || `http-${e.status}`, message: e.problem.detail ?? e.message, status: e.status, ...(e.problem.subproblems ? { subproblems: e.problem.subproblems } : {}), ...(e.retryAfterSeconds !== undefined ? { retryAfter: e.retryAfterSeconds } : {}) }, problem: e.problem };
  const problem = (e as { problem?: Problem }).problem;
  const code = problem?.type ? problem.type.replace('urn:ietf:params:acme:error:', '') : ((e as NodeJS.ErrnoException).code ?? 'acme-failed');
  return { error: { code, message: (e as Error).message }, ...(problem ? { problem } : {}) };
}

async function responderFor(spec: AcmeStepSpec, server: Record<string, unknown> | undefined, ctx: StepContext): Promise<ChallengeResponder> {
  const challenge = spec.challenge ?? 'http-01';
  if (spec.respond === false) {
    // No responder: on the service's own port a web server that knows no token answers (404),
    // on a pinned port nothing may listen at all (connection refused); either way it is invalid.
    return { type: challenge, hits: 0, present: async () => {}, cleanup: async () => {}, close: async () => {} };
  }
  if (spec.webroot) return http01Webroot(resolveWorkPath(ctx.workDir, spec.webroot, 'write', 'acme webroot'));
  const port = spec.port !== undefined ? Number(spec.port) : Number(challenge === 'http-01' ? server?.httpPort : server?.tlsPort);
  if (!port) throw new Error(`no port for the ${challenge} responder: give port:, or server: an acme/pebble service`);
  return challenge === 'http-01' ? http01Standalone('127.0.0.1', port) : tlsAlpn01Standalone('127.0.0.1', port);
}

const acmeSchema = s.object({
  server: s.string({ ref: 'service', description: 'an acme or pebble service: its directory, trust and validation ports' }),
  directory: s.string({ description: 'or a directory URL (https://.../dir)' }),
  trust: workFile('read', "PEM file of the CA that signed the server's HTTPS certificate (default: the service's caFile)"),
  insecure: s.boolean('do not verify the server certificate'),
  action: s.enum(ACME_ACTIONS, 'what to do (default issue)'),
  account: s.string({ description: 'name of the account within the scenario (default "default"): steps naming the same one share it' }),
  accountKey: s.enum(KEY_TYPES, 'type of a new account key (default ec-p256; rsa-2048 for RS256)'),
  contact: s.array(s.string(), { description: 'mailto: URLs' }),
  eab: s.object({ keyId: s.string({ description: 'the key identifier the CA gave' }), hmacKey: s.string({ description: 'base64url' }) }, { required: ['keyId', 'hmacKey'], description: 'external account binding' }),
  names: s.array(s.string(), { description: 'DNS names and IP addresses (issue; renew defaults to the last ones)' }),
  challenge: s.enum(['http-01', 'tls-alpn-01'], 'default http-01'),
  webroot: workFile('write', 'http-01 by writing files under <webroot>/.well-known/acme-challenge/ (certbot --webroot), inside the work directory'),
  port: s.anyOf([s.integer({ minimum: 1, maximum: 65535 }), s.string()], "port of the standalone responder (default: the service's httpPort / tlsPort)"),
  respond: s.boolean("false: answer no challenge, a validation failure on purpose: the service's own httpPort answers 404 (unauthorized), a pinned port where nothing listens is refused (connection)"),
  keyType: s.enum(KEY_TYPES, 'certificate key type (default ec-p256)'),
  csr: workFile('read', 'send this CSR (PEM file) instead of making one'),
  preferredChain: s.string({ description: "choose the alternate chain whose top issuer has this CN (certbot's --preferred-chain)" }),
  profile: s.string({ description: "the order's ACME profile (certbot's --preferred-profile), e.g. tlsserver or shortlived; default: the CA's" }),
  out: workFile('write', 'directory for privkey.pem, cert.pem, chain.pem, fullchain.pem, inside the work directory (default acme/live/<first name>)'),
  reason: s.enum(Object.keys(REVOCATION_REASONS), 'revoke: RFC 5280 reason (default unspecified)'),
  by: s.enum(['account', 'certificateKey'], 'revoke: sign with the account key (default) or the certificate key'),
  certificate: workFile('read', 'revoke / renewal-info / renew: this certificate (PEM file) instead of the last one issued; with its key in privkey.pem beside it for by: certificateKey'),
  ari: s.boolean('renew: send "replaces" with the old certificate\'s ARI certID (default true when the server offers renewalInfo)'),
  window: s.object(
    { start: s.describe(when, 'an ISO time or an offset from the scenario clock'), end: s.describe(when, 'an ISO time or an offset from the scenario clock') },
    { required: ['start', 'end'], description: "move-window: the certificate's new ARI suggestedWindow, set through the service's management interface (Pebble's set-renewal-info); { start: -1h, end: +24h } is a mass revocation's 24-hour notice" },
  ),
});

export const acmeStep = defineStep({
  kind: 'acme',
  summary: 'an ACME client (RFC 8555): register, issue over http-01 or tls-alpn-01, renew, revoke, roll the account key, read ARI',
  schema: acmeSchema,
  expect: {
    status: matcher('string', 'valid (issued), revoked, registered, deactivated, key-changed, moved (move-window), invalid (validation failed)'),
    names: matcher('any'),
    serial: matcher('string'),
    issuer: matcher('string'),
    notBefore: matcher('string'),
    notAfter: matcher('string'),
    validityDays: matcher('number'),
    validityHours: matcher('number', 'notAfter - notBefore in hours (a 160-hour shortlived certificate is 160)'),
    chainLength: matcher('number', 'certificates served: leaf + intermediates'),
    chainsOffered: matcher('number', 'the default chain plus Link rel="alternate" ones'),
    chainVerifies: matcher('boolean', "leaf -> intermediates -> the service's root verify"),
    validated: matcher('number', 'authorizations validated by this step'),
    reused: matcher('number', 'authorizations already valid'),
    replaces: matcher('string', 'renew: the ARI certID sent as "replaces"'),
    created: matcher('boolean', 'register: a new account (201) rather than the existing one'),
    accountUrl: matcher('string'),
    certFile: matcher('string'),
    fullchainFile: matcher('string'),
    badNonceRetries: matcher('number'),
    suggestedWindow: matcher('any', 'renewal-info: {start, end}'),
    renewNow: matcher('boolean', 'renewal-info: the suggested window has begun'),
    problem: matcher('any', 'the problem document of a failure'),
    error: errorFields({ status: matcher('number', 'HTTP status of the problem'), subproblems: matcher('any'), retryAfter: matcher('number', "the answer's Retry-After in seconds (rateLimited carries one)") }),
  },
  defaultExpect: (spec) => ({ status: { 'move-window': 'moved', 'revoke': 'revoked', 'register': 'registered', 'deactivate': 'deactivated', 'key-change': 'key-changed', 'renewal-info': 'valid', issue: 'valid', renew: 'valid' }[spec.action ?? 'issue'] }),
  async execute(spec, ctx) {
    const server = spec.server ? ctx.world.services[spec.server] : undefined;
    const directoryUrl = spec.directory ?? (server?.directoryUrl as string | undefined);
    if (!directoryUrl) return { error: { code: 'no-directory', message: 'give server: (an acme or pebble service) or directory: (a URL)' } };
    // Where files would go is checked before anything is asked of the CA.
    if (spec.out !== undefined) resolveWorkPath(ctx.workDir, spec.out, 'write', 'acme out');
    if (spec.webroot !== undefined) resolveWorkPath(ctx.workDir, spec.webroot, 'write', 'acme webroot');
    const trustFile = spec.trust ? resolveWorkPath(ctx.workDir, spec.trust, 'read', 'acme trust') : (server?.caFile as string | undefined);
    const rootPem = server?.rootFile ? await readFile(String(server.rootFile), 'utf8').catch(() => undefined) : undefined;
    const stateKey = `acme:${directoryUrl}:${spec.account ?? 'default'}`;
    let account = ctx.state.get(stateKey) as AccountState | undefined;
    if (!account) {
      account = { key: await generateKey(spec.accountKey ?? 'ec-p256') };
      ctx.state.set(stateKey, account);
    }
    const client = new AcmeClient({
      directoryUrl,
      accountKey: account.key,
      ...(account.url ? { accountUrl: account.url } : {}),
      ...(trustFile ? { ca: await readFile(trustFile, 'utf8') } : {}),
      ...(spec.insecure ? { insecure: true } : {}),
      signal: ctx.signal,
      log: ctx.log,
    });
    const action = spec.action ?? 'issue';
    const stats = () => ({ badNonceRetries: client.stats.badNonceRetries, requests: client.stats.requests });
    try {
      if (!account.url || action === 'register') {
        const reg = await client.newAccount({ termsOfServiceAgreed: true, ...(spec.contact ? { contact: spec.contact } : {}), ...(spec.eab ? { eab: spec.eab } : {}) });
        account.url = reg.url;
        if (action === 'register') return { status: 'registered', created: reg.created, accountUrl: reg.url, account: reg.account, ...stats() };
      }
      switch (action) {
        case 'deactivate': {
          const a = await client.updateAccount({ status: 'deactivated' });
          return { status: a.status === 'deactivated' ? 'deactivated' : a.status, accountUrl: account.url, ...stats() };
        }
        case 'key-change': {
          const next = await generateKey(spec.accountKey ?? account.key.type);
          await client.changeKey(next);
          account.key = next;
          return { status: 'key-changed', accountUrl: account.url, ...stats() };
        }
        case 'revoke': {
          const target = spec.certificate ? await loadCertificate(resolveWorkPath(ctx.workDir, spec.certificate, 'read', 'acme certificate')) : account.last;
          if (!target) return { error: { code: 'nothing-to-revoke', message: 'no certificate: issue one in an earlier step of this account, or give certificate:' } };
          const der = new x509.X509Certificate(target.certPem).rawData;
          const by = spec.by ?? 'account';
          await client.revoke(new Uint8Array(der), { reason: REVOCATION_REASONS[spec.reason ?? 'unspecified']!, ...(by === 'certificateKey' ? { certificateKey: loadPrivateKey(target.keyPem) } : {}) });
          return { status: 'revoked', serial: new x509.X509Certificate(target.certPem).serialNumber.toLowerCase(), by, ...stats() };
        }
        case 'move-window': {
          const target = spec.certificate ? await loadCertificate(resolveWorkPath(ctx.workDir, spec.certificate, 'read', 'acme certificate')) : account.last;
          const certId = target ? certIdOfPem(target.certPem) : undefined;
          if (!certId) return { error: { code: 'nothing-to-move', message: 'no certificate with an authority key identifier: issue one in an earlier step, or give certificate:' } };
          return moveWindow(spec, server, certId, scenarioNow(ctx));
        }
        case 'renewal-info': {
          const target = spec.certificate ? await loadCertificate(resolveWorkPath(ctx.workDir, spec.certificate, 'read', 'acme certificate')) : account.last;
          const certId = target ? certIdOfPem(target.certPem) : undefined;
          if (!certId) return { error: { code: 'nothing-to-ask', message: 'no certificate with an authority key identifier to ask about' } };
          const info = await client.renewalInfo(certId);
          if (!info) return { error: { code: 'no-ari', message: 'the directory has no renewalInfo' } };
          // The window is on the CA's clock, which follows the scenario's.
          const due = Date.parse(info.suggestedWindow.start) <= scenarioNow(ctx).getTime();
          return { status: 'valid', certId, suggestedWindow: info.suggestedWindow, renewNow: due, ...stats() };
        }
        default:
          return await issue(spec, ctx, client, account, rootPem, action === 'renew', server);
      }
    } catch (e) {
      return { status: 'failed', ...problemFields(e), ...stats() };
    } finally {
      await client.close();
    }
  },
  timeline: (r) => (r.status === 'valid' && r.notBefore && r.notAfter ? issuedMarks(`the CA issued ${namesOf(r.names)}`, r.notBefore, r.notAfter) : []),
});

const namesOf = (names: unknown) => (Array.isArray(names) ? names.join(', ') : 'a certificate');

/** An issuance on the scenario's clock: valid from, and when it expires. */
function issuedMarks(what: string, notBefore: string, notAfter: string): TimelineMark[] {
  const hours = Math.round((Date.parse(notAfter) - Date.parse(notBefore)) / 3_600_000);
  return [{ at: notBefore, what: `${what}, valid ${hours % 24 ? `${hours} h` : `${hours / 24} days`}` }, { at: notAfter, what: 'that certificate expires' }];
}

async function loadCertificate(file: string): Promise<{ certPem: string; keyPem: string; names: string[]; dir: string }> {
  const certPem = await readFile(file, 'utf8');
  const keyPem = await readFile(join(resolve(file, '..'), 'privkey.pem'), 'utf8').catch(() => '');
  return { certPem, keyPem, names: [], dir: resolve(file, '..') };
}

async function issue(spec: AcmeStepSpec, ctx: StepContext, client: AcmeClient, account: AccountState, rootPem: string | undefined, renew: boolean, server: Record<string, unknown> | undefined): Promise<Record<string, unknown>> {
  // What is renewed: the certificate named, or the last one this account got.
  const previous = renew && spec.certificate ? await loadCertificate(resolveWorkPath(ctx.workDir, spec.certificate, 'read', 'acme certificate')) : renew ? account.last : undefined;
  const names = spec.names ?? (previous?.names.length ? previous.names : previous ? dnsNames(previous.certPem) : undefined);
  if (!names?.length) return { error: { code: 'no-names', message: renew ? 'nothing to renew: no earlier certificate for this account and no names:' : 'names: is required to issue' } };
  const out = resolveWorkPath(ctx.workDir, spec.out ?? join('acme', 'live', names[0]!.replace(/^\*\./, '_wildcard.')), 'write', 'acme out');
  const key = await generateKey(spec.keyType ?? 'ec-p256');
  const csrDer = spec.csr ? new Uint8Array(new x509.Pkcs10CertificateRequest(await readFile(resolveWorkPath(ctx.workDir, spec.csr, 'read', 'acme csr'), 'utf8')).rawData) : undefined;
  const directory = await client.directory();
  const previousId = previous ? certIdOfPem(previous.certPem) : undefined;
  const replaces = renew && spec.ari !== false && directory.renewalInfo && previousId ? previousId : undefined;
  const responder = await responderFor(spec, server, ctx);
  let result: IssueResult;
  try {
    result = await issueCertificate(client, { names, responder, certificateKey: key, ...(csrDer ? { csrDer } : {}), ...(spec.preferredChain ? { preferredChain: spec.preferredChain } : {}), ...(spec.profile ? { profile: spec.profile } : {}), ...(replaces ? { replaces } : {}), onProgress: ctx.progress });
  } catch (e) {
    const fields = problemFields(e);
    const authz = (e as { authorization?: { status: string } }).authorization;
    return { status: authz?.status === 'invalid' ? 'invalid' : 'failed', names, ...fields, badNonceRetries: client.stats.badNonceRetries };
  } finally {
    await responder.close();
  }
  await mkdir(out, { recursive: true, mode: 0o700 });
  const keyPem = exportPrivateKey(key);
  const files = { keyFile: join(out, 'privkey.pem'), certFile: join(out, 'cert.pem'), chainFile: join(out, 'chain.pem'), fullchainFile: join(out, 'fullchain.pem') };
  if (!csrDer) await writeFileAtomic(files.keyFile, keyPem, 0o600);
  await writeFileAtomic(files.certFile, result.certPem);
  await writeFileAtomic(files.chainFile, result.chainOnlyPem);
  await writeFileAtomic(files.fullchainFile, result.certPem + result.chainOnlyPem);
  const leaf = new x509.X509Certificate(result.certPem);
  const certId = certIdOfPem(result.certPem);
  account.last = { certPem: result.certPem, keyPem, names, dir: out, ...(certId ? { certId } : {}) };
  return {
    status: 'valid',
    names,
    serial: leaf.serialNumber.toLowerCase(),
    issuer: leaf.issuer,
    notBefore: leaf.notBefore.toISOString(),
    notAfter: leaf.notAfter.toISOString(),
    validityDays: Math.round((leaf.notAfter.getTime() - leaf.notBefore.getTime()) / 86_400_000),
    validityHours: Math.round((leaf.notAfter.getTime() - leaf.notBefore.getTime()) / 3_600_000),
    chainLength: (result.chainPem.match(/BEGIN CERTIFICATE/g) ?? []).length,
    chainsOffered: result.chainsOffered,
    chainVerifies: chainVerifies(result.certPem + result.chainOnlyPem, rootPem),
    validated: result.validated,
    reused: result.reused,
    ...(replaces ? { replaces } : {}),
    accountUrl: account.url,
    orderUrl: result.orderUrl,
    certificateUrl: result.certificateUrl,
    ...files,
    badNonceRetries: client.stats.badNonceRetries,
    requests: client.stats.requests,
  };
}
