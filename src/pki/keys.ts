// Private keys: generated, loaded from any of the usual PEM/DER forms (PKCS#1, PKCS#8,
// encrypted PKCS#8, and the traditional `Proc-Type: 4,ENCRYPTED` PEM that `openssl genrsa
// -des3` writes), and written back in the form a scenario asks for. node:crypto parses and
// encrypts (it is OpenSSL underneath); WebCrypto signs.
import { createPrivateKey, createPublicKey, generateKeyPair as generateKeyPairCb, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import forge from 'node-forge';
import { subtle } from './crypto.ts';
import { type KeyType, type HashName, familyOf, signingAlgorithm } from './key-spec.ts';

const generateKeyPair = promisify(generateKeyPairCb);

export interface PrivateKeyMaterial {
  type: KeyType;
  /** PKCS#8 DER: the form from which WebCrypto keys are imported for any hash. */
  pkcs8: Buffer;
  /** SubjectPublicKeyInfo DER. */
  spki: Buffer;
  object: KeyObject;
}

export class KeyError extends Error {
  readonly code: 'bad-password' | 'needs-password' | 'unreadable' | 'unsupported';
  constructor(message: string, code: KeyError['code']) {
    super(message);
    this.code = code;
    this.name = 'KeyError';
  }
}

/** Generates a key pair on libuv's thread pool, so several keys are made in parallel. */
export async function generateKey(type: KeyType): Promise<PrivateKeyMaterial> {
  const family = familyOf(type);
  const pair =
    family === 'rsa'
      ? await generateKeyPair('rsa', { modulusLength: Number(type.slice(4)), publicExponent: 0x10001 })
      : family === 'ec'
        ? await generateKeyPair('ec', { namedCurve: type === 'ec-p256' ? 'prime256v1' : 'secp384r1' })
        : await generateKeyPair('ed25519');
  return fromKeyObject(pair.privateKey, type);
}

export function fromKeyObject(object: KeyObject, type?: KeyType): PrivateKeyMaterial {
  const pkcs8 = object.export({ type: 'pkcs8', format: 'der' });
  const spki = createPublicKey(object).export({ type: 'spki', format: 'der' });
  return { type: type ?? keyTypeOf(object), pkcs8, spki, object };
}

export function keyTypeOf(object: KeyObject): KeyType {
  const d = object.asymmetricKeyDetails ?? {};
  switch (object.asymmetricKeyType) {
    case 'rsa': {
      const bits = d.modulusLength ?? 2048;
      const t = `rsa-${bits}` as KeyType;
      return ['rsa-1024', 'rsa-2048', 'rsa-3072', 'rsa-4096'].includes(t) ? t : 'rsa-2048';
    }
    case 'ec':
      return d.namedCurve === 'secp384r1' ? 'ec-p384' : 'ec-p256';
    case 'ed25519':
      return 'ed25519';
    default:
      throw new KeyError(`unsupported key type ${object.asymmetricKeyType}`, 'unsupported');
  }
}

export function keyBits(object: KeyObject): number | undefined {
  const d = object.asymmetricKeyDetails;
  if (object.asymmetricKeyType === 'rsa') return d?.modulusLength;
  if (object.asymmetricKeyType === 'ec') return d?.namedCurve === 'secp384r1' ? 384 : 256;
  if (object.asymmetricKeyType === 'ed25519') return 256;
  return undefined;
}

/** Parses a private key in PEM or DER; `password` decrypts encrypted forms. */
export function loadPrivateKey(data: Buffer | string, password?: string, label = 'key'): PrivateKeyMaterial {
  const text = typeof data === 'string' ? data : data.toString('latin1');
  const isPem = text.includes('-----BEGIN');
  const encrypted = /ENCRYPTED/.test(text);
  if (isPem && encrypted && password === undefined) throw new KeyError(`${label} is encrypted and no password was given`, 'needs-password');
  try {
    const object = isPem
      ? createPrivateKey({ key: text, format: 'pem', ...(password !== undefined ? { passphrase: password } : {}) })
      : createPrivateKey({ key: Buffer.from(data as Buffer), format: 'der', type: 'pkcs8', ...(password !== undefined ? { passphrase: password } : {}) });
    return fromKeyObject(object);
  } catch (e) {
    const msg = String((e as Error).message);
    if (isPem && encrypted && password !== undefined) {
      const decrypted = decryptWithForge(text, password);
      if (decrypted) return fromKeyObject(createPrivateKey({ key: decrypted, format: 'der', type: 'pkcs8' }));
    }
    if (encrypted || /bad decrypt|decrypt/i.test(msg)) throw new KeyError(`${label}: wrong password (cannot decrypt the key)`, 'bad-password');
    if (isPem && !encrypted && !/PRIVATE KEY/.test(text)) throw new KeyError(`${label}: not a private key (no PRIVATE KEY block)`, 'unreadable');
    throw new KeyError(`${label}: cannot read the private key (${msg.replace(/^error:[0-9A-F]+:/, '')})`, 'unreadable');
  }
}

/**
 * Decrypts an encrypted PEM key with node-forge, returning unencrypted PKCS#8 DER. Deno's
 * node:crypto cannot decrypt the PBES2/DES-EDE3 PKCS#8 that `openssl genrsa -des3` writes, nor
 * the traditional Proc-Type form; forge reads both (RSA only for the traditional form).
 * Returns undefined when the password is wrong or the form is unknown to forge.
 */
function decryptWithForge(pem: string, password: string): Buffer | undefined {
  try {
    if (pem.includes('-----BEGIN ENCRYPTED PRIVATE KEY-----')) {
      const info = forge.pki.decryptPrivateKeyInfo(forge.pki.encryptedPrivateKeyFromPem(pem), forge.util.encodeUtf8(password));
      return info ? Buffer.from(forge.asn1.toDer(info).getBytes(), 'binary') : undefined;
    }
    const rsa = forge.pki.decryptRsaPrivateKey(pem, password);
    if (!rsa) return undefined;
    return Buffer.from(forge.asn1.toDer(forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(rsa))).getBytes(), 'binary');
  } catch {
    return undefined;
  }
}

export const KEY_FORMATS = ['pkcs8', 'pkcs1', 'sec1'] as const;
export type KeyFormat = (typeof KEY_FORMATS)[number];
/** Ciphers for encrypted keys. des-ede3-cbc is what `openssl genrsa -des3` uses. */
export const KEY_CIPHERS = ['des-ede3-cbc', 'aes-128-cbc', 'aes-256-cbc'] as const;
export type KeyCipher = (typeof KEY_CIPHERS)[number];

/**
 * PEM text of a private key.
 * - pkcs8 (default): `BEGIN PRIVATE KEY`, or `BEGIN ENCRYPTED PRIVATE KEY` with a password.
 * - pkcs1 / sec1 ("traditional"): `BEGIN RSA PRIVATE KEY` / `BEGIN EC PRIVATE KEY`; with a password,
 *   the `Proc-Type: 4,ENCRYPTED` + `DEK-Info` headers that OpenSSL 1.x `genrsa -des3` writes.
 */
export function exportPrivateKey(key: PrivateKeyMaterial, format: KeyFormat = 'pkcs8', password?: string, cipher: KeyCipher = 'des-ede3-cbc'): string {
  const fmt = format === 'pkcs8' ? 'pkcs8' : familyOf(key.type) === 'ec' ? 'sec1' : 'pkcs1';
  if (fmt !== 'pkcs8' && familyOf(key.type) === 'ed25519') throw new KeyError('ed25519 keys exist only in PKCS#8 form', 'unsupported');
  try {
    return key.object.export({ type: fmt, format: 'pem', ...(password !== undefined ? { cipher, passphrase: password } : {}) }) as string;
  } catch (e) {
    if (password === undefined) throw e;
    return encryptWithForge(key, fmt, password, cipher);
  }
}

const FORGE_CIPHER: Record<KeyCipher, 'aes128' | 'aes256' | '3des'> = { 'des-ede3-cbc': '3des', 'aes-128-cbc': 'aes128', 'aes-256-cbc': 'aes256' };

/**
 * Encrypted PEM through node-forge, for runtimes whose node:crypto cannot (Deno refuses
 * des-ede3-cbc). PKCS#8 with 3DES comes out as pbeWithSHAAnd3-KeyTripleDES-CBC rather than
 * PBES2/DES-EDE3-CBC: both are what openssl reads with the same -passin.
 */
function encryptWithForge(key: PrivateKeyMaterial, fmt: 'pkcs8' | 'pkcs1' | 'sec1', password: string, cipher: KeyCipher): string {
  const info = forge.asn1.fromDer(forge.util.binary.raw.encode(new Uint8Array(key.pkcs8)));
  if (fmt === 'pkcs1') {
    const rsa = forge.pki.privateKeyFromAsn1(info) as forge.pki.rsa.PrivateKey;
    return forge.pki.encryptRsaPrivateKey(rsa, password, { algorithm: FORGE_CIPHER[cipher] }) + '\n';
  }
  if (fmt === 'sec1') throw new KeyError('an encrypted EC key in the traditional (sec1) form needs node:crypto, which this runtime lacks for this cipher; use keyFormat pkcs8', 'unsupported');
  const encrypted = forge.pki.encryptPrivateKeyInfo(info, FORGE_CIPHER[cipher] === '3des' ? password : forge.util.encodeUtf8(password), { algorithm: FORGE_CIPHER[cipher], prfAlgorithm: 'sha256' } as forge.pki.EncryptionOptions);
  return forge.pki.encryptedPrivateKeyToPem(encrypted) + '\n';
}

/** A WebCrypto signing key for the given hash (RSA keys are bound to one hash in WebCrypto). */
export function signingKey(key: PrivateKeyMaterial, hash: HashName): Promise<CryptoKey> {
  return subtle.importKey('pkcs8', new Uint8Array(key.pkcs8), signingAlgorithm(key.type, hash) as RsaHashedImportParams, false, ['sign']);
}

export function publicKey(key: PrivateKeyMaterial, hash: HashName): Promise<CryptoKey> {
  return subtle.importKey('spki', new Uint8Array(key.spki), signingAlgorithm(key.type, hash) as RsaHashedImportParams, true, ['verify']);
}
