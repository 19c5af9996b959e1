// The client's half of RFC 8555 §6.2: account keys as JWKs, flattened JWS requests signed with
// `jose`, key authorizations (§8.1) and the external account binding (§7.3.4).
import { createHash } from 'node:crypto';
import type { JWK } from 'jose';
import type { PrivateKeyMaterial } from '../../pki/keys.ts';
import { subtle } from '../../pki/crypto.ts';
import { signingAlgorithm } from '../../pki/key-spec.ts';

/** jose loads with the first signature: a run that makes no ACME request never pays for it. */
const jose = () => import('jose');

/** RFC 7518 algorithm names for each of our key types. RS256 is what every ACME server accepts. */
export function jwsAlgorithm(key: PrivateKeyMaterial): 'RS256' | 'ES256' | 'ES384' | 'EdDSA' {
  switch (key.type) {
    case 'ec-p256':
      return 'ES256';
    case 'ec-p384':
      return 'ES384';
    case 'ed25519':
      return 'EdDSA';
    default:
      return 'RS256';
  }
}

/** A key ready to sign JWS: its algorithm, its public JWK and the RFC 7638 thumbprint. */
export interface JwsKey {
  alg: ReturnType<typeof jwsAlgorithm>;
  privateKey: CryptoKey;
  jwk: JWK;
  thumbprint: string;
  material: PrivateKeyMaterial;
}

export async function jwsKey(material: PrivateKeyMaterial): Promise<JwsKey> {
  const { exportJWK, calculateJwkThumbprint } = await jose();
  const params = signingAlgorithm(material.type, 'sha256');
  const privateKey = await subtle.importKey('pkcs8', new Uint8Array(material.pkcs8), params, false, ['sign']);
  const publicKey = await subtle.importKey('spki', new Uint8Array(material.spki), params, true, ['verify']);
  const full = await exportJWK(publicKey);
  // Only the members RFC 7638 names: some servers compare JWKs member by member.
  const jwk: JWK = full.kty === 'RSA' ? { kty: 'RSA', n: full.n!, e: full.e! } : full.kty === 'EC' ? { kty: 'EC', crv: full.crv!, x: full.x!, y: full.y! } : { kty: 'OKP', crv: full.crv!, x: full.x! };
  return { alg: jwsAlgorithm(material), privateKey, jwk, thumbprint: await calculateJwkThumbprint(jwk, 'sha256'), material };
}

export interface JwsRequest {
  key: JwsKey;
  url: string;
  nonce?: string;
  /** The account URL; absent, the JWK goes in the header (newAccount, revocation by certificate key). */
  kid?: string;
  /** `undefined` makes a POST-as-GET (RFC 8555 §6.3): an empty payload. */
  payload?: unknown;
}

export async function signJws(r: JwsRequest): Promise<string> {
  const { FlattenedSign } = await jose();
  const payload = r.payload === undefined ? new Uint8Array() : new TextEncoder().encode(JSON.stringify(r.payload));
  const header = { alg: r.key.alg, url: r.url, ...(r.nonce !== undefined ? { nonce: r.nonce } : {}), ...(r.kid ? { kid: r.kid } : { jwk: r.key.jwk }) };
  return JSON.stringify(await new FlattenedSign(payload).setProtectedHeader(header).sign(r.key.privateKey));
}

/** RFC 8555 §7.3.4: the inner JWS binding this account key to a CA-issued key identifier. */
export async function externalAccountBinding(o: { keyId: string; hmacKey: string; accountJwk: JWK; url: string }): Promise<unknown> {
  const { FlattenedSign } = await jose();
  const secret = Buffer.from(o.hmacKey, 'base64url');
  return new FlattenedSign(new TextEncoder().encode(JSON.stringify(o.accountJwk))).setProtectedHeader({ alg: 'HS256', kid: o.keyId, url: o.url }).sign(secret);
}

/** RFC 8555 §8.1: token "." base64url(JWK thumbprint). */
export function keyAuthorization(token: string, thumbprint: string): string {
  return `${token}.${thumbprint}`;
}

/** RFC 8555 §8.4: the TXT record value of a dns-01 challenge; RFC 8737 §3 uses the same digest. */
export function keyAuthorizationDigest(keyAuth: string): Buffer {
  return createHash('sha256').update(keyAuth).digest();
}
