// The CA's memory: accounts, orders, authorizations, challenges and certificates, and the
// status rules of RFC 8555 §7.1.6 computed from them. Nothing persists: a new server is a new CA,
// as a restarted Pebble is.
import { randomBytes, type KeyObject } from 'node:crypto';
import type { JWK } from 'jose';
import type { AccountStatus, AuthorizationStatus, ChallengeStatus, ChallengeType, Identifier, OrderStatus, Problem } from '../../clients/acme/wire.ts';

export interface AccountRecord {
  id: string;
  jwk: JWK;
  thumbprint: string;
  status: AccountStatus;
  contact: string[];
  termsOfServiceAgreed: boolean;
  orderIds: string[];
  eabKeyId?: string;
  createdAt: Date;
  /** The key imported for verification, per JWS algorithm; cleared on key change. */
  verifyKeys?: Map<string, KeyObject>;
}

export interface ChallengeRecord {
  id: string;
  authzId: string;
  type: ChallengeType;
  token: string;
  status: ChallengeStatus;
  validated?: Date;
  error?: Problem;
  /** When the validator expects to finish (for Retry-After). */
  expectedDoneAt?: number;
}

export interface AuthorizationRecord {
  id: string;
  accountId: string;
  identifier: Identifier;
  wildcard: boolean;
  status: AuthorizationStatus;
  expires: Date;
  challengeIds: string[];
}

export interface OrderRecord {
  id: string;
  accountId: string;
  identifiers: Identifier[];
  authzIds: string[];
  expires: Date;
  notBefore?: string;
  notAfter?: string;
  profile?: string;
  replaces?: string;
  /** An ARI renewal: exempt from rate limits, so issuance spends none. */
  rateLimitExempt?: boolean;
  /** Set by finalize; issuance then runs in the background. */
  processing: boolean;
  certificateId?: string;
  error?: Problem;
  failed: boolean;
}

export interface CertificateRecord {
  id: string;
  serialHex: string;
  /** DER of the leaf, and the PEM of each chain it is served with (index 0 = default). */
  der: Uint8Array;
  chains: string[];
  accountId: string;
  orderId: string;
  names: string[];
  spki: Uint8Array;
  notBefore: Date;
  notAfter: Date;
  /** Authority key identifier (hex) for ARI's certID. */
  akiHex: string;
  revoked?: { reason: number; at: Date };
  /** ARI window set through the management interface. */
  renewalWindow?: { start: Date; end: Date };
}

export class AcmeStore {
  readonly accounts = new Map<string, AccountRecord>();
  readonly accountsByThumbprint = new Map<string, string>();
  readonly orders = new Map<string, OrderRecord>();
  readonly authorizations = new Map<string, AuthorizationRecord>();
  readonly challenges = new Map<string, ChallengeRecord>();
  readonly certificates = new Map<string, CertificateRecord>();
  readonly certificatesBySerial = new Map<string, string>();
  private readonly now: () => Date;

  constructor(now: () => Date) {
    this.now = now;
  }

  /** Random URL-safe ids, as Pebble's; unguessable so one account cannot walk another's. */
  newId(): string {
    return randomBytes(12).toString('base64url');
  }

  /** RFC 8555 §7.1.6 authorization status: a pending or valid one past `expires` is expired. */
  authzStatus(a: AuthorizationRecord): AuthorizationStatus {
    if ((a.status === 'pending' || a.status === 'valid') && a.expires.getTime() <= this.now().getTime()) return 'expired';
    return a.status;
  }

  /** RFC 8555 §7.1.6 order status, derived from its authorizations like Pebble's. */
  orderStatus(o: OrderRecord): OrderStatus {
    if (o.failed) return 'invalid';
    if (o.certificateId) return 'valid';
    if (o.processing) return 'processing';
    if (o.expires.getTime() <= this.now().getTime()) return 'invalid';
    const statuses = o.authzIds.map((id) => this.authzStatus(this.authorizations.get(id)!));
    if (statuses.some((s) => s === 'invalid' || s === 'deactivated' || s === 'expired' || s === 'revoked')) return 'invalid';
    if (statuses.every((s) => s === 'valid')) return 'ready';
    return 'pending';
  }

  addCertificate(c: CertificateRecord): void {
    this.certificates.set(c.id, c);
    this.certificatesBySerial.set(normalSerial(c.serialHex), c.id);
  }

  certificateBySerial(serialHex: string): CertificateRecord | undefined {
    const id = this.certificatesBySerial.get(normalSerial(serialHex));
    return id ? this.certificates.get(id) : undefined;
  }

  /** A valid, unexpired authorization of this account for this identifier (Pebble's authz reuse). */
  reusableAuthorization(accountId: string, identifier: Identifier): AuthorizationRecord | undefined {
    for (const a of this.authorizations.values()) {
      if (a.accountId === accountId && a.identifier.type === identifier.type && a.identifier.value === identifier.value && this.authzStatus(a) === 'valid') return a;
    }
    return undefined;
  }
}

/** Serial numbers as the management interface and ARI write them: lowercase hex, no leading zeros. */
export function normalSerial(hex: string): string {
  return hex.toLowerCase().replace(/^0+(?=.)/, '');
}
