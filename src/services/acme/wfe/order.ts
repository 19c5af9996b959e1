// RFC 8555 §7.4: newOrder, the order resource and finalize. Finalize checks the CSR (names equal
// the order's, not the account key, not weak), answers "processing" at once like Pebble, and
// issues in the background; the client polls the order until it is valid.
import { isIP } from 'node:net';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { CsrError, parseCsr, type ParsedCsr } from '../csr.ts';
import { CHALLENGE_TYPES, type ChallengeType, type Identifier } from '../../../clients/acme/wire.ts';
import { AcmeProblem, alreadyReplaced, badCsr, invalidProfile, malformed, orderNotReady, rejectedIdentifier, unauthorized, unsupportedIdentifier, type Subproblem } from '../problems.ts';
import { objectPayload, type VerifiedJws } from '../jws.ts';
import { identifierProblem } from '../va.ts';
import type { AuthorizationRecord, OrderRecord } from '../state.ts';
import { PATHS, withId, type WfeContext } from './context.ts';
import { signedRequest, type AcmeReply, type Route } from './http.ts';
import { orderUrl, orderView } from './views.ts';
import { certIdOf, suggestedWindow } from './renewal-info.ts';
import { randomBytes } from 'node:crypto';
import { offeredProfiles } from '../profiles.ts';
import { identifierSetKey, registeredDomain } from '../rate-limits.ts';

/** Pending orders and authorizations live a day, as Pebble's do. */
const PENDING_LIFETIME_MS = 86_400_000;

function parseIdentifiers(value: unknown, ctx: WfeContext): Identifier[] {
  if (!Array.isArray(value) || value.length === 0) throw malformed('"identifiers" must be a non-empty list of {type, value}');
  const out: Identifier[] = [];
  const subproblems: Subproblem[] = [];
  for (const raw of value) {
    const id = raw as { type?: unknown; value?: unknown };
    if (!id || typeof id.value !== 'string' || typeof id.type !== 'string') throw malformed('each identifier needs a string "type" and "value"');
    if (id.type !== 'dns' && id.type !== 'ip') throw unsupportedIdentifier(`identifier type '${id.type}' is not supported (dns, ip)`);
    const identifier: Identifier = { type: id.type, value: id.type === 'dns' ? id.value.toLowerCase() : id.value };
    const problem = identifierProblem(identifier) ?? (ctx.options.domainBlocklist.some((b) => identifier.value === b || identifier.value.endsWith(`.${b}`)) ? `'${identifier.value}' is blocked by this CA's policy` : undefined);
    if (problem) subproblems.push({ type: 'rejectedIdentifier', detail: problem, identifier });
    else if (!out.some((o) => o.type === identifier.type && o.value === identifier.value)) out.push(identifier);
  }
  if (subproblems.length === 1) throw rejectedIdentifier(subproblems[0]!.detail, subproblems);
  if (subproblems.length) throw rejectedIdentifier(`${subproblems.length} identifiers were refused`, subproblems);
  return out;
}

/** The order's profile (the default one when it names none), refused when it does not offer what the order asks. */
function orderProfile(requested: unknown, identifiers: Identifier[], ctx: WfeContext): string | undefined {
  const { profiles, defaultProfile } = offeredProfiles(ctx.options, ctx.now());
  const name = requested === undefined ? defaultProfile : String(requested);
  if (name === undefined) return undefined;
  const profile = profiles[name];
  if (!profile) throw invalidProfile(`profile '${name.slice(0, 64)}' is not offered (offered: ${Object.keys(profiles).join(', ') || 'none'})`);
  if (profile.maxNames !== undefined && identifiers.length > profile.maxNames) throw rejectedIdentifier(`profile ${name} allows at most ${profile.maxNames} identifiers in an order, this one has ${identifiers.length}`);
  const refused = identifiers.filter((id) => !(profile.identifierTypes ?? ['dns', 'ip']).includes(id.type));
  if (refused.length) {
    const detail = `profile ${name} does not permit ${refused[0]!.type === 'ip' ? 'IP address' : refused[0]!.type} identifiers; see the profiles in the directory's meta.profiles`;
    throw rejectedIdentifier(detail, refused.map((identifier) => ({ type: 'rejectedIdentifier', detail, identifier })));
  }
  return name;
}

/**
 * Let's Encrypt's limits at newOrder: the order itself is spent at once, the certificate limits
 * are checked now and spent when a certificate is issued, failed validations were spent when
 * they failed.
 */
function checkOrderLimits(ctx: WfeContext, accountId: string, identifiers: Identifier[]): void {
  const refused =
    ctx.limits.check('newOrdersPerAccount', accountId) ??
    identifiers.map((id) => ctx.limits.check('failedValidations', `${accountId} ${id.value}`)).find(Boolean) ??
    [...new Set(identifiers.map(registeredDomain))].map((d) => ctx.limits.check('certificatesPerDomain', d)).find(Boolean) ??
    ctx.limits.check('duplicateCertificates', identifierSetKey(identifiers));
  if (refused) throw refused;
  ctx.limits.spend('newOrdersPerAccount', accountId);
}

function spendIssuanceLimits(ctx: WfeContext, identifiers: Identifier[]): void {
  for (const d of new Set(identifiers.map(registeredDomain))) ctx.limits.spend('certificatesPerDomain', d);
  ctx.limits.spend('duplicateCertificates', identifierSetKey(identifiers));
}

function newAuthorization(ctx: WfeContext, accountId: string, identifier: Identifier): AuthorizationRecord {
  const wildcard = identifier.type === 'dns' && identifier.value.startsWith('*.');
  // RFC 8555 §7.1.3: a wildcard's authorization is for the base name and only dns-01 proves it.
  const types: readonly ChallengeType[] = wildcard ? ['dns-01'] : identifier.type === 'ip' ? ['http-01', 'tls-alpn-01'] : CHALLENGE_TYPES;
  const authz: AuthorizationRecord = {
    id: ctx.store.newId(),
    accountId,
    identifier: wildcard ? { type: 'dns', value: identifier.value.slice(2) } : identifier,
    wildcard,
    status: 'pending',
    expires: new Date(ctx.now().getTime() + PENDING_LIFETIME_MS),
    challengeIds: [],
  };
  for (const type of types) {
    const id = ctx.store.newId();
    // RFC 8555 §8.3: tokens carry at least 128 bits of entropy; 32 bytes as Boulder's.
    ctx.store.challenges.set(id, { id, authzId: authz.id, type, token: randomBytes(32).toString('base64url'), status: 'pending' });
    authz.challengeIds.push(id);
  }
  ctx.store.authorizations.set(authz.id, authz);
  return authz;
}

function ownOrder(jws: VerifiedJws, ctx: WfeContext, id: string): OrderRecord {
  const order = ctx.store.orders.get(id);
  if (!order) throw new AcmeProblem('malformed', 404, `no order ${id}`);
  if (order.accountId !== jws.account!.id) throw unauthorized('this order belongs to another account');
  return order;
}

function orderReply(base: string, ctx: WfeContext, order: OrderRecord, status = 200): AcmeReply {
  const view = orderView(base, ctx.store, order);
  const retry: Record<string, string> = view.status === 'processing' || view.status === 'pending' ? { 'retry-after': String(ctx.options.retryAfter.order) } : {};
  return { status, headers: { location: orderUrl(base, order.id), ...retry }, json: view };
}

function dateField(body: Record<string, unknown>, name: string): string | undefined {
  const v = body[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || Number.isNaN(Date.parse(v))) throw malformed(`"${name}" must be an RFC 3339 date`);
  return v;
}

/**
 * The CSR's subjectAltNames must be exactly the order's identifiers (RFC 8555 §7.4), judged as
 * Pebble judges them: the SANs alone (a name only in the CN does not count), DNS names and IP
 * addresses apart, and a mismatch is `unauthorized` (403) with Pebble's words.
 */
function checkCsr(csr: ParsedCsr, order: OrderRecord): string[] {
  if (csr.otherNames.length) throw badCsr(`CSR contains a ${csr.otherNames[0]} name, only DNS names and IP addresses can be certified`);
  const unique = (list: string[]) => [...new Set(list)].sort();
  for (const [kind, word, one] of [['dns', 'DNSnames', 'domain'], ['ip', 'IP address', 'IP']] as const) {
    const wanted = unique(order.identifiers.filter((i) => i.type === kind).map((i) => i.value));
    const given = unique(csr.names.filter((n) => (kind === 'ip') === Boolean(isIP(n))).map((n) => (kind === 'dns' ? n.toLowerCase() : n)));
    if (wanted.length !== given.length) throw unauthorized(`Order includes different number of ${word} identifiers than CSR specifies`);
    const missing = wanted.find((n, i) => given[i] !== n);
    if (missing !== undefined) throw unauthorized(`CSR is missing Order ${one} "${missing}"`);
  }
  return order.identifiers.map((i) => i.value);
}

async function finalize(req: Parameters<Route['handle']>[0], ctx: WfeContext): Promise<AcmeReply> {
  const jws = await signedRequest(req, ctx, 'kid');
  const order = ownOrder(jws, ctx, req.params[0]!);
  const status = ctx.store.orderStatus(order);
  if (status !== 'ready') throw orderNotReady(`Order's status ("${status}") is not acceptable for finalization`);
  const body = objectPayload(jws);
  if (typeof body.csr !== 'string') throw malformed('finalize needs "csr": the base64url DER of a PKCS#10 request');
  let csr: ParsedCsr;
  try {
    csr = parseCsr(Buffer.from(body.csr, 'base64url'));
  } catch (e) {
    throw badCsr(e instanceof CsrError ? e.message : 'CSR is not a DER PKCS#10 certification request');
  }
  if (!csr.signatureValid) throw badCsr('CSR signature does not verify');
  const names = checkCsr(csr, order);
  const key = csr.key;
  if (key.asymmetricKeyType === 'rsa' && (key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) throw badCsr(`CSR key is RSA ${key.asymmetricKeyDetails?.modulusLength} bits: at least 2048 are required`);
  if ((await calculateJwkThumbprint(key.export({ format: 'jwk' }) as JWK, 'sha256')) === jws.thumbprint) throw badCsr("CSR key must not be the account's key");
  order.processing = true;
  ctx.background(async () => {
    try {
      const now = ctx.now();
      // The profile as it stands at issuance: Let's Encrypt's change on dated announcements.
      const validity = (order.profile && offeredProfiles(ctx.options, now).profiles[order.profile]?.validityPeriod) || ctx.options.certificateValidityPeriod;
      const notBefore = order.notBefore ? new Date(order.notBefore) : now;
      const notAfter = order.notAfter ? new Date(order.notAfter) : new Date(notBefore.getTime() + validity * 1000 - 1000);
      const issued = await ctx.ca.issue({ spki: csr.spki, rsa: key.asymmetricKeyType === 'rsa', names, notBefore, notAfter });
      const id = ctx.store.newId();
      ctx.store.addCertificate({ id, ...issued, accountId: order.accountId, orderId: order.id, names, spki: csr.spki });
      order.certificateId = id;
      if (!order.rateLimitExempt) spendIssuanceLimits(ctx, order.identifiers);
      ctx.log(`issued certificate ${issued.serialHex} for ${names.join(', ')}`);
    } catch (e) {
      order.failed = true;
      order.error = new AcmeProblem('serverInternal', 500, `issuance failed: ${(e as Error).message}`).toJSON() as never;
    }
  });
  return orderReply(req.base, ctx, order);
}

export const orderRoutes: Route[] = [
  {
    path: /^\/order-plz\/?$/,
    methods: ['POST'],
    async handle(req, ctx) {
      const jws = await signedRequest(req, ctx, 'kid');
      const body = objectPayload(jws);
      const identifiers = parseIdentifiers(body.identifiers, ctx);
      for (const id of identifiers) if (id.value.startsWith('*.') && id.type !== 'dns') throw malformed('wildcards are DNS names');
      const profile = orderProfile(body.profile, identifiers, ctx);
      let replaces: string | undefined;
      let ariRenewal = false;
      if (body.replaces !== undefined) {
        replaces = String(body.replaces);
        const replaced = [...ctx.store.certificates.values()].find((c) => certIdOf(c) === replaces);
        if (!replaced) throw malformed(`"replaces" names no certificate this CA issued: ${replaces}`);
        if (replaced.accountId !== jws.account!.id) throw unauthorized('"replaces" names a certificate of another account');
        // RFC 9773 §5: it shares an identifier with the order, and no other order that is not invalid replaces it.
        if (!identifiers.some((id) => replaced.names.includes(id.value))) throw malformed(`"replaces" names a certificate for ${replaced.names.join(', ')}, which shares no identifier with this order`);
        const earlier = [...ctx.store.orders.values()].find((o) => o.replaces === replaces && !o.failed);
        if (earlier) throw alreadyReplaced(`certificate ${replaces} is already replaced by order ${earlier.id}`);
        ariRenewal = suggestedWindow(replaced, ctx.now()).start <= ctx.now();
      }
      const account = jws.account!;
      if (!ariRenewal) checkOrderLimits(ctx, account.id, identifiers);
      const authzIds = identifiers.map((identifier) => {
        const reusable = ctx.chance.percent(ctx.options.authzReusePercent) ? ctx.store.reusableAuthorization(account.id, identifier) : undefined;
        return (reusable ?? newAuthorization(ctx, account.id, identifier)).id;
      });
      const notBefore = dateField(body, 'notBefore');
      const notAfter = dateField(body, 'notAfter');
      const order: OrderRecord = {
        id: ctx.store.newId(),
        accountId: account.id,
        identifiers,
        authzIds,
        expires: new Date(ctx.now().getTime() + PENDING_LIFETIME_MS),
        ...(notBefore ? { notBefore } : {}),
        ...(notAfter ? { notAfter } : {}),
        ...(profile ? { profile } : {}),
        ...(replaces ? { replaces } : {}),
        ...(ariRenewal && ctx.limits.enabled ? { rateLimitExempt: true } : {}),
        processing: false,
        failed: false,
      };
      ctx.store.orders.set(order.id, order);
      account.orderIds.push(order.id);
      return orderReply(req.base, ctx, order, 201);
    },
  },
  {
    path: withId(PATHS.order),
    methods: ['POST'],
    async handle(req, ctx) {
      const jws = await signedRequest(req, ctx, 'kid');
      return orderReply(req.base, ctx, ownOrder(jws, ctx, req.params[0]!));
    },
  },
  { path: withId(PATHS.finalize), methods: ['POST'], handle: finalize },
];
