// RFC 8555 on the wire: the JSON objects both sides exchange and the error types. The server
// (src/services/acme) and the client (this folder) share these, so a field renamed on one side
// is a compile error on the other.

/** RFC 8555 §7.1.1: what a directory names. `renewalInfo` is ARI (draft-ietf-acme-ari-03). */
export interface Directory {
  newNonce: string;
  newAccount: string;
  newOrder: string;
  revokeCert: string;
  keyChange: string;
  newAuthz?: string;
  renewalInfo?: string;
  meta?: {
    termsOfService?: string;
    website?: string;
    caaIdentities?: string[];
    externalAccountRequired?: boolean;
    profiles?: Record<string, string>;
  };
}

/** RFC 8555 §9.7.8 identifier types; `ip` is RFC 8738. */
export interface Identifier {
  type: 'dns' | 'ip';
  value: string;
}

export type AccountStatus = 'valid' | 'deactivated' | 'revoked';
export type OrderStatus = 'pending' | 'ready' | 'processing' | 'valid' | 'invalid';
export type AuthorizationStatus = 'pending' | 'valid' | 'invalid' | 'deactivated' | 'expired' | 'revoked';
export type ChallengeStatus = 'pending' | 'processing' | 'valid' | 'invalid';
export const CHALLENGE_TYPES = ['http-01', 'dns-01', 'tls-alpn-01'] as const;
export type ChallengeType = (typeof CHALLENGE_TYPES)[number];

export interface Account {
  status: AccountStatus;
  contact?: string[];
  termsOfServiceAgreed?: boolean;
  externalAccountBinding?: unknown;
  orders?: string;
  /** Pebble includes the account key in the account object. */
  key?: Record<string, unknown>;
}

export interface Order {
  status: OrderStatus;
  expires?: string;
  identifiers: Identifier[];
  notBefore?: string;
  notAfter?: string;
  error?: Problem;
  authorizations: string[];
  finalize: string;
  certificate?: string;
  profile?: string;
  /** ARI: the certificate this order replaces (draft-ietf-acme-ari-03 §5). */
  replaces?: string;
}

export interface Challenge {
  type: ChallengeType;
  url: string;
  status: ChallengeStatus;
  token: string;
  validated?: string;
  error?: Problem;
}

export interface Authorization {
  identifier: Identifier;
  status: AuthorizationStatus;
  expires?: string;
  challenges: Challenge[];
  wildcard?: boolean;
}

/** RFC 7807 problem document with RFC 8555 §6.7.1 subproblems. */
export interface Problem {
  type: string;
  detail: string;
  status?: number;
  subproblems?: { type: string; detail: string; identifier?: Identifier }[];
  /** certharness extra: the account URL of a conflicting key (keyChange). */
  [k: string]: unknown;
}

/** RFC 8555 §6.7: every error type, without the `urn:ietf:params:acme:error:` prefix. */
export const ERROR_TYPES = [
  'accountDoesNotExist',
  'alreadyReplaced',
  'alreadyRevoked',
  'badCSR',
  'badNonce',
  'badPublicKey',
  'badRevocationReason',
  'badSignatureAlgorithm',
  'caa',
  'compound',
  'connection',
  'dns',
  'externalAccountRequired',
  'incorrectResponse',
  'invalidProfile',
  'invalidContact',
  'malformed',
  'orderNotReady',
  'rateLimited',
  'rejectedIdentifier',
  'serverInternal',
  'tls',
  'unauthorized',
  'unsupportedContact',
  'unsupportedIdentifier',
  'userActionRequired',
  'conflict',
] as const;
export type ErrorType = (typeof ERROR_TYPES)[number];
export const ERROR_PREFIX = 'urn:ietf:params:acme:error:';

/** The short name of an ACME error type (`badNonce`), or the type itself when it is not one. */
export function shortErrorType(type: string | undefined): string {
  return type?.startsWith(ERROR_PREFIX) ? type.slice(ERROR_PREFIX.length) : (type ?? '');
}

/** RFC 5280 §5.3.1 CRLReason values that RFC 8555 §7.6 allows in revokeCert (7 is unused). */
export const REVOCATION_REASONS: Record<string, number> = {
  unspecified: 0,
  keyCompromise: 1,
  cACompromise: 2,
  affiliationChanged: 3,
  superseded: 4,
  cessationOfOperation: 5,
  certificateHold: 6,
  removeFromCRL: 8,
  privilegeWithdrawn: 9,
  aACompromise: 10,
};

/** RFC 8737 §3: the ALPN protocol and the critical extension that carries the key authorization digest. */
export const ACME_TLS_ALPN_PROTOCOL = 'acme-tls/1';
export const ACME_IDENTIFIER_OID = '1.3.6.1.5.5.7.1.31';

/** RFC 8555 §8.3: where an http-01 responder serves its key authorization. */
export const HTTP01_PATH_PREFIX = '/.well-known/acme-challenge/';
