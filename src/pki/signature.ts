// Signing DER with node:crypto and naming the algorithm as X.509 does, for the structures
// built with the asn1 schemas directly (CRLs, OCSP answers) rather than through @peculiar/x509.
import { sign, type KeyObject } from 'node:crypto';
import { AlgorithmIdentifier } from '@peculiar/asn1-x509';
import type { HashName } from './key-spec.ts';

const RSA: Record<HashName, string> = { sha1: '1.2.840.113549.1.1.5', sha256: '1.2.840.113549.1.1.11', sha384: '1.2.840.113549.1.1.12', sha512: '1.2.840.113549.1.1.13' };
const ECDSA: Record<HashName, string> = { sha1: '1.2.840.10045.4.1', sha256: '1.2.840.10045.4.3.2', sha384: '1.2.840.10045.4.3.3', sha512: '1.2.840.10045.4.3.4' };

/** The hash a key signs with when none is asked for: SHA-384 for P-384, SHA-256 otherwise. */
export function defaultHash(key: KeyObject): HashName {
  return key.asymmetricKeyDetails?.namedCurve === 'secp384r1' ? 'sha384' : 'sha256';
}

/** The AlgorithmIdentifier and the node:crypto digest (null for Ed25519) for a key and a hash. */
export function signatureAlgorithm(key: KeyObject, hash: HashName = defaultHash(key)): { id: AlgorithmIdentifier; digest: string | null } {
  const type = key.asymmetricKeyType;
  // RSA's parameters are an explicit NULL (RFC 4055); ECDSA's and Ed25519's are absent.
  if (type === 'rsa') return { id: new AlgorithmIdentifier({ algorithm: RSA[hash], parameters: null }), digest: hash };
  if (type === 'ec') return { id: new AlgorithmIdentifier({ algorithm: ECDSA[hash] }), digest: hash };
  if (type === 'ed25519') return { id: new AlgorithmIdentifier({ algorithm: '1.3.101.112' }), digest: null };
  throw new Error(`cannot sign with a ${type} key`);
}

/** The signature over DER bytes (ECDSA in DER form, as X.509 carries it). */
export function signDer(key: KeyObject, digest: string | null, der: Uint8Array): ArrayBuffer {
  return new Uint8Array(sign(digest, der, key)).buffer;
}

const BY_OID = new Map<string, HashName | null>([
  ...[...Object.entries(RSA), ...Object.entries(ECDSA)].map(([hash, oid]): [string, HashName] => [oid, hash as HashName]),
  ['1.3.101.112', null],
]);

/**
 * The node:crypto digest a signature algorithm verifies with (null for Ed25519), or undefined
 * for one not verified here; SHA-1 only when the caller accepts it (an OCSP answer may use it,
 * a CSR may not).
 */
export function verifyDigest(oid: string, o: { sha1?: boolean } = {}): string | null | undefined {
  const digest = BY_OID.get(oid);
  return digest === 'sha1' && !o.sha1 ? undefined : digest;
}
