// RFC 8555 §6.2-§6.5 on the server side: a POST body must be a flattened JWS whose protected
// header names a supported algorithm, exactly one of jwk/kid, a nonce we issued and the URL
// it was sent to. `jose` imports the key and computes its thumbprint; node:crypto checks the
// signature (see signatureVerifies).
import { KeyObject, verify } from 'node:crypto';
import { importJWK, calculateJwkThumbprint, type JWK, type FlattenedJWSInput } from 'jose';
import type { AccountRecord, AcmeStore } from './state.ts';
import type { NonceService } from './nonces.ts';
import { accountDoesNotExist, badNonce, badPublicKey, badSignatureAlgorithm, malformed, unauthorized } from './problems.ts';

/** What we verify; HS* and `none` are refused with badSignatureAlgorithm (RFC 8555 §6.2). */
export const SUPPORTED_ALGORITHMS = ['RS256', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const;
type Algorithm = (typeof SUPPORTED_ALGORITHMS)[number];

/** RFC 7518 §3.3-§3.4, RFC 8037 §3.1: the key each algorithm takes, its hash, and whether its signature is JWS's r||s. */
const ALGORITHMS: Record<Algorithm, { keyType: string; curve?: string; hash: string | null; rawEcdsa?: true }> = {
  RS256: { keyType: 'rsa', hash: 'sha256' },
  ES256: { keyType: 'ec', curve: 'prime256v1', hash: 'sha256', rawEcdsa: true },
  ES384: { keyType: 'ec', curve: 'secp384r1', hash: 'sha384', rawEcdsa: true },
  ES512: { keyType: 'ec', curve: 'secp521r1', hash: 'sha512', rawEcdsa: true },
  EdDSA: { keyType: 'ed25519', hash: null },
};

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/** A flattened JWS as parseJws leaves it: its three members are strings. */
export interface FlattenedJws extends FlattenedJWSInput {
  protected: string;
  payload: string;
  signature: string;
}

export interface ProtectedHeader {
  alg: string;
  url?: string;
  nonce?: string;
  kid?: string;
  jwk?: JWK;
}

export interface VerifiedJws {
  header: ProtectedHeader;
  /** The signing key as a JWK, and its RFC 7638 thumbprint. */
  jwk: JWK;
  thumbprint: string;
  /** The account, when signed with `kid`. */
  account?: AccountRecord;
  /** Empty payload: POST-as-GET (RFC 8555 §6.3). */
  postAsGet: boolean;
  payload: unknown;
  raw: FlattenedJws;
}

export interface JwsContext {
  store: AcmeStore;
  nonces: NonceService;
  /** Prefix of account URLs (`https://host/my-account/`): a kid must start with it. */
  accountUrlPrefix: string;
}

function decodeJson(b64: string, what: string): unknown {
  try {
    return JSON.parse(Buffer.from(b64, 'base64url').toString('utf8'));
  } catch {
    throw malformed(`${what} is not base64url-encoded JSON`);
  }
}

/** Parses a JWS body and its protected header; throws problems only, never library errors. */
export function parseJws(body: Buffer): { jws: FlattenedJws; header: ProtectedHeader } {
  let doc: unknown;
  try {
    doc = JSON.parse(body.toString('utf8'));
  } catch {
    throw malformed('Parse error reading JWS: the body is not JSON');
  }
  const d = doc as Record<string, unknown>;
  if (!d || typeof d !== 'object' || Array.isArray(d)) throw malformed('Parse error reading JWS: expected a JSON object');
  if ('signatures' in d) throw malformed('JWS must use the flattened JSON serialization, not the general one (RFC 8555 §6.2)');
  if ('header' in d) throw malformed('JWS must not have an unprotected header (RFC 8555 §6.2)');
  for (const k of ['protected', 'payload', 'signature']) {
    if (typeof d[k] !== 'string') throw malformed(`JWS is missing "${k}"`);
    // RFC 7515 §2: base64url without padding. Node's decoder skips other characters, which would let one signature pass in many spellings.
    if (!BASE64URL.test(d[k] as string)) throw malformed(`JWS "${k}" is not base64url-encoded (RFC 7515 §2)`);
  }
  const header = decodeJson(d.protected as string, 'JWS protected header') as ProtectedHeader;
  if (!header || typeof header !== 'object') throw malformed('JWS protected header is not an object');
  return { jws: d as unknown as FlattenedJws, header };
}

/** A JSON object whose key members are strings: what importJWK and the thumbprint can take. */
export function isJwkShaped(v: unknown): v is JWK {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return false;
  const o = v as Record<string, unknown>;
  if (typeof o.kty !== 'string') return false;
  return ['n', 'e', 'crv', 'x', 'y', 'd', 'k', 'alg', 'use', 'kid'].every((m) => o[m] === undefined || typeof o[m] === 'string');
}

function checkKeyStrength(jwk: JWK): void {
  if (jwk.kty === 'RSA') {
    const n = Buffer.from(jwk.n ?? '', 'base64url');
    let bits = n.length * 8;
    for (let i = 0; i < n.length && n[i] === 0; i++) bits -= 8;
    if (bits < 2048 || bits > 4096) throw badPublicKey(`RSA keys must be 2048 to 4096 bits, this one is ${bits}`);
  } else if (jwk.kty === 'EC') {
    if (!['P-256', 'P-384', 'P-521'].includes(jwk.crv ?? '')) throw badPublicKey(`EC curve ${jwk.crv} is not supported (P-256, P-384, P-521)`);
  } else if (jwk.kty === 'OKP') {
    if (jwk.crv !== 'Ed25519') throw badPublicKey(`OKP curve ${jwk.crv} is not supported (Ed25519)`);
  } else {
    throw badPublicKey(`key type ${jwk.kty} is not supported`);
  }
}

/** The JWK as a key for `alg`, or badSignatureAlgorithm when it is not a key of that algorithm's type and curve. */
async function importKey(jwk: JWK, alg: Algorithm): Promise<KeyObject> {
  let key: KeyObject;
  try {
    key = KeyObject.from((await importJWK({ ...jwk, alg }, alg)) as CryptoKey);
  } catch (e) {
    throw badSignatureAlgorithm(`the ${jwk.kty} key cannot be used with ${alg}: ${(e as Error).message}`, SUPPORTED_ALGORITHMS);
  }
  // Checked here, not left to WebCrypto's import: not every runtime refuses a P-256 key for ES384 there.
  const a = ALGORITHMS[alg];
  if (key.asymmetricKeyType !== a.keyType || (a.curve && key.asymmetricKeyDetails?.namedCurve !== a.curve)) {
    throw badSignatureAlgorithm(`the ${jwk.kty} ${jwk.crv ?? ''} key cannot be used with ${alg}`.replace(/ +key/, ' key'), SUPPORTED_ALGORITHMS);
  }
  return key;
}

/**
 * The signature over `protected.payload` (RFC 7515 §5.2), checked with node:crypto's one-shot
 * verify. jose's verify goes through WebCrypto's asynchronous job, which here cost more than the
 * check itself, on the path every ACME request takes (bench/README.md).
 */
function signatureVerifies(jws: FlattenedJws, key: KeyObject, alg: Algorithm): boolean {
  const a = ALGORITHMS[alg];
  try {
    return verify(a.hash, Buffer.from(`${jws.protected}.${jws.payload}`), a.rawEcdsa ? { key, dsaEncoding: 'ieee-p1363' } : key, Buffer.from(jws.signature, 'base64url'));
  } catch {
    return false;
  }
}

/**
 * Verifies a request. `signer` says which header member the resource requires: newAccount
 * wants `jwk`, revokeCert accepts either, everything else `kid` (RFC 8555 §6.2).
 */
export async function verifyJws(body: Buffer, requestUrl: string, signer: 'jwk' | 'kid' | 'either', c: JwsContext): Promise<VerifiedJws> {
  const { jws, header } = parseJws(body);
  if (typeof header.alg !== 'string' || !(SUPPORTED_ALGORITHMS as readonly string[]).includes(header.alg)) {
    throw badSignatureAlgorithm(`JWS signature algorithm '${String(header.alg)}' is not supported`, SUPPORTED_ALGORITHMS);
  }
  // Types first: every member is the client's to get wrong, and a wrong type is malformed, never a 500.
  if (header.kid !== undefined && (typeof header.kid !== 'string' || !header.kid)) throw malformed('JWS header "kid" must be a non-empty string: the account URL');
  if (header.jwk !== undefined && !isJwkShaped(header.jwk)) throw malformed('JWS header "jwk" must be a JSON object whose members are strings (RFC 7517)');
  if (header.jwk && header.kid) throw malformed('JWS header must have exactly one of "jwk" and "kid", not both');
  if (!header.jwk && !header.kid) throw malformed('JWS header must have one of "jwk" and "kid"');
  if (signer === 'jwk' && !header.jwk) throw malformed('No embedded JWK in JWS header: this resource needs "jwk", not "kid"');
  if (signer === 'kid' && !header.kid) throw malformed('No Key ID in JWS header: this resource needs "kid" (the account URL), not "jwk"');
  if (typeof header.url !== 'string') throw malformed('JWS header is missing "url"');
  if (header.url !== requestUrl) throw unauthorized(`JWS header parameter 'url' is "${header.url}" but the request was sent to "${requestUrl}"`);
  if (typeof header.nonce !== 'string' || !header.nonce) throw badNonce('JWS has no anti-replay nonce');
  // RFC 7515 §4.1.11: an extension the server does not understand must not be ignored; ACME defines none.
  if ('crit' in header) throw malformed('JWS header "crit" names extensions this server does not understand (RFC 7515 §4.1.11)');
  const alg = header.alg as Algorithm;

  let account: AccountRecord | undefined;
  let jwk: JWK;
  let key: KeyObject;
  if (header.kid) {
    const id = header.kid.startsWith(c.accountUrlPrefix) ? header.kid.slice(c.accountUrlPrefix.length) : undefined;
    account = id ? c.store.accounts.get(id) : undefined;
    if (!account) throw accountDoesNotExist(`Account "${header.kid}" not found`);
    jwk = account.jwk;
    // Imported once per account and algorithm: importing costs more than verifying.
    account.verifyKeys ??= new Map();
    // An algorithm that does not fit the account's key cannot verify: the same answer as a bad signature.
    key = account.verifyKeys.get(alg) ?? (await importKey(jwk, alg).catch(() => Promise.reject(malformed(`JWS verification error: ${alg} does not fit the account's ${jwk.kty} ${jwk.crv ?? ''} key`.replace(/ +key$/, ' key')))));
    account.verifyKeys.set(alg, key);
  } else {
    jwk = header.jwk!;
    if (!jwk || typeof jwk !== 'object') throw malformed('JWS header "jwk" is not an object');
    checkKeyStrength(jwk);
    key = await importKey(jwk, alg);
  }

  // The nonce is spent before the signature check, as Pebble does: a replay is badNonce even when signed well.
  const redeemed = c.nonces.redeem(header.nonce);
  if (redeemed === 'unknown') throw badNonce(`JWS has an invalid anti-replay nonce: "${header.nonce}"`);
  if (redeemed === 'rejected') throw badNonce(`JWS has an invalid anti-replay nonce: "${header.nonce}" (refused on purpose, as PEBBLE_WFE_NONCEREJECT does)`);

  if (!signatureVerifies(jws, key, alg)) throw malformed('JWS verification error: the signature does not verify with the ' + (header.kid ? "account's key" : 'embedded JWK'));
  const payloadBytes = Buffer.from(jws.payload, 'base64url');
  if (account && account.status !== 'valid') throw unauthorized(`Account is not valid, has status "${account.status}"`);
  const postAsGet = payloadBytes.length === 0;
  let payload: unknown = undefined;
  if (!postAsGet) {
    try {
      payload = JSON.parse(Buffer.from(payloadBytes).toString('utf8'));
    } catch {
      throw malformed('JWS payload is not JSON');
    }
  }
  return { header, jwk, thumbprint: account ? account.thumbprint : await calculateJwkThumbprint(jwk, 'sha256'), ...(account ? { account } : {}), postAsGet, payload, raw: jws };
}

/** The payload as an object, or malformed: handlers call this when they need fields. */
export function objectPayload(v: VerifiedJws): Record<string, unknown> {
  if (v.postAsGet || !v.payload || typeof v.payload !== 'object' || Array.isArray(v.payload)) throw malformed('expected a JSON object in the JWS payload');
  return v.payload as Record<string, unknown>;
}
