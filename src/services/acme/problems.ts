// RFC 8555 §6.7 problem documents as values: handlers return or throw an AcmeProblem and one
// function (wfe/http.ts) writes it as application/problem+json.
import { ERROR_PREFIX, type ErrorType, type Identifier } from '../../clients/acme/wire.ts';

export interface Subproblem {
  type: ErrorType;
  detail: string;
  identifier?: Identifier;
}

export class AcmeProblem extends Error {
  readonly type: ErrorType;
  readonly status: number;
  readonly subproblems: Subproblem[] | undefined;
  /** Extra members (e.g. `algorithms` with badSignatureAlgorithm) and headers (Location on conflict). */
  readonly extra: Record<string, unknown>;
  readonly headers: Record<string, string>;
  constructor(type: ErrorType, status: number, detail: string, o: { subproblems?: Subproblem[]; extra?: Record<string, unknown>; headers?: Record<string, string> } = {}) {
    super(detail);
    this.type = type;
    this.status = status;
    this.subproblems = o.subproblems;
    this.extra = o.extra ?? {};
    this.headers = o.headers ?? {};
  }

  toJSON(): Record<string, unknown> {
    return {
      type: ERROR_PREFIX + this.type,
      detail: this.message,
      status: this.status,
      ...this.extra,
      ...(this.subproblems ? { subproblems: this.subproblems.map((p) => ({ ...p, type: ERROR_PREFIX + p.type })) } : {}),
    };
  }
}

// One constructor per type, with the HTTP status Pebble and Boulder answer it with.
export const malformed = (detail: string) => new AcmeProblem('malformed', 400, detail);
/** draft-ietf-acme-profiles: a profile the server does not offer. */
export const invalidProfile = (detail: string) => new AcmeProblem('invalidProfile', 400, detail);
export const badNonce = (detail: string) => new AcmeProblem('badNonce', 400, detail);
export const unauthorized = (detail: string) => new AcmeProblem('unauthorized', 403, detail);
export const accountDoesNotExist = (detail: string) => new AcmeProblem('accountDoesNotExist', 400, detail);
export const badSignatureAlgorithm = (detail: string, algorithms: readonly string[]) => new AcmeProblem('badSignatureAlgorithm', 400, detail, { extra: { algorithms } });
export const badPublicKey = (detail: string) => new AcmeProblem('badPublicKey', 400, detail);
export const badCsr = (detail: string) => new AcmeProblem('badCSR', 400, detail);
export const orderNotReady = (detail: string) => new AcmeProblem('orderNotReady', 403, detail);
export const rejectedIdentifier = (detail: string, subproblems?: Subproblem[]) => new AcmeProblem('rejectedIdentifier', 400, detail, subproblems ? { subproblems } : {});
/** RFC 9773 §5: the certificate named in "replaces" already has a replacement order that is not invalid. */
export const alreadyReplaced = (detail: string) => new AcmeProblem('alreadyReplaced', 409, detail);
export const unsupportedIdentifier = (detail: string) => new AcmeProblem('unsupportedIdentifier', 400, detail);
export const externalAccountRequired = (detail: string) => new AcmeProblem('externalAccountRequired', 400, detail);
export const invalidContact = (detail: string) => new AcmeProblem('invalidContact', 400, detail);
export const unsupportedContact = (detail: string) => new AcmeProblem('unsupportedContact', 400, detail);
export const alreadyRevoked = (detail: string) => new AcmeProblem('alreadyRevoked', 400, detail);
export const badRevocationReason = (detail: string) => new AcmeProblem('badRevocationReason', 400, detail);
export const conflict = (detail: string, location: string) => new AcmeProblem('conflict', 409, detail, { headers: { location } });
export const notFound = (detail: string) => new AcmeProblem('malformed', 404, detail);
export const methodNotAllowed = (allowed: string[]) => new AcmeProblem('malformed', 405, `method not allowed: use ${allowed.join(' or ')}`, { headers: { allow: allowed.join(', ') } });
export const unsupportedMediaType = (got: string | undefined) => new AcmeProblem('malformed', 415, `Content-Type must be application/jose+json, not ${got ? `'${got}'` : 'missing'}`);
export const payloadTooLarge = (limit: number) => new AcmeProblem('malformed', 413, `request body larger than ${limit} bytes`);
export const serverInternal = (detail: string) => new AcmeProblem('serverInternal', 500, detail);
export const rateLimited = (detail: string, retryAfterSeconds: number) => new AcmeProblem('rateLimited', 429, detail, { headers: { 'retry-after': String(retryAfterSeconds) } });
