// Key types a scenario can ask for, and the WebCrypto parameters for each.
export const KEY_TYPES = ['rsa-1024', 'rsa-2048', 'rsa-3072', 'rsa-4096', 'ec-p256', 'ec-p384', 'ed25519'] as const;
export type KeyType = (typeof KEY_TYPES)[number];

export const HASHES = ['sha1', 'sha256', 'sha384', 'sha512'] as const;
export type HashName = (typeof HASHES)[number];

export const WEBCRYPTO_HASH: Record<HashName, string> = { sha1: 'SHA-1', sha256: 'SHA-256', sha384: 'SHA-384', sha512: 'SHA-512' };

export type KeyFamily = 'rsa' | 'ec' | 'ed25519';

export function familyOf(type: KeyType): KeyFamily {
  return type.startsWith('rsa') ? 'rsa' : type.startsWith('ec') ? 'ec' : 'ed25519';
}

/** Algorithm for generateKey/importKey. RSA and EC keys are bound to a hash in WebCrypto. */
export function signingAlgorithm(type: KeyType, hash: HashName): RsaHashedImportParams & RsaHashedKeyGenParams | EcKeyImportParams | Algorithm {
  switch (type) {
    case 'ec-p256':
      return { name: 'ECDSA', namedCurve: 'P-256' };
    case 'ec-p384':
      return { name: 'ECDSA', namedCurve: 'P-384' };
    case 'ed25519':
      return { name: 'Ed25519' };
    default:
      return { name: 'RSASSA-PKCS1-v1_5', hash: WEBCRYPTO_HASH[hash], modulusLength: Number(type.slice(4)), publicExponent: new Uint8Array([1, 0, 1]) };
  }
}

/** The algorithm argument for sign(): ECDSA names its hash here rather than on the key. */
export function signParams(type: KeyType, hash: HashName): Algorithm | EcdsaParams {
  return familyOf(type) === 'ec' ? { name: 'ECDSA', hash: WEBCRYPTO_HASH[hash] } : signingAlgorithm(type, hash);
}
