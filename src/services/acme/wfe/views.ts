// Records as RFC 8555 JSON objects (§7.1.2-§7.1.5). URLs are built from the request's base, as
// Pebble builds them from the Host header.
import type { Account, Authorization, Challenge, Order } from '../../../clients/acme/wire.ts';
import type { AccountRecord, AcmeStore, AuthorizationRecord, ChallengeRecord, OrderRecord } from '../state.ts';
import { PATHS } from './context.ts';

export const accountUrl = (base: string, id: string) => `${base}${PATHS.account}${id}`;
export const orderUrl = (base: string, id: string) => `${base}${PATHS.order}${id}`;
export const authzUrl = (base: string, id: string) => `${base}${PATHS.authz}${id}`;
export const challengeUrl = (base: string, id: string) => `${base}${PATHS.challenge}${id}`;
export const certificateUrl = (base: string, id: string) => `${base}${PATHS.certificate}${id}`;

export function accountView(base: string, a: AccountRecord): Account {
  return { status: a.status, contact: a.contact, termsOfServiceAgreed: a.termsOfServiceAgreed, orders: `${base}${PATHS.orders}${a.id}`, key: a.jwk as Record<string, unknown> };
}

export function orderView(base: string, store: AcmeStore, o: OrderRecord): Order {
  const status = store.orderStatus(o);
  return {
    status,
    expires: o.expires.toISOString(),
    identifiers: o.identifiers,
    ...(o.notBefore ? { notBefore: o.notBefore } : {}),
    ...(o.notAfter ? { notAfter: o.notAfter } : {}),
    ...(o.profile ? { profile: o.profile } : {}),
    ...(o.replaces ? { replaces: o.replaces } : {}),
    ...(o.error ? { error: o.error } : {}),
    authorizations: o.authzIds.map((id) => authzUrl(base, id)),
    finalize: `${base}${PATHS.finalize}${o.id}`,
    ...(o.certificateId ? { certificate: certificateUrl(base, o.certificateId) } : {}),
  };
}

export function challengeView(base: string, c: ChallengeRecord): Challenge {
  return {
    type: c.type,
    url: challengeUrl(base, c.id),
    status: c.status,
    token: c.token,
    ...(c.validated ? { validated: c.validated.toISOString() } : {}),
    ...(c.error ? { error: c.error } : {}),
  };
}

export function authzView(base: string, store: AcmeStore, a: AuthorizationRecord): Authorization {
  return {
    identifier: a.identifier,
    status: store.authzStatus(a),
    expires: a.expires.toISOString(),
    challenges: a.challengeIds.map((id) => challengeView(base, store.challenges.get(id)!)),
    ...(a.wildcard ? { wildcard: true } : {}),
  };
}
