// Certificate signing requests, as an ACME client sends them at finalize (RFC 8555 §7.4): the
// names go into subjectAltName; the first one is also the CN unless told otherwise.
import { x509 } from './crypto.ts';
import { generalName } from './certificate.ts';
import { type HashName, signParams } from './key-spec.ts';
import { type PrivateKeyMaterial, signingKey, publicKey } from './keys.ts';
import { toX509Name } from './names.ts';

export interface CsrOptions {
  /** CN of the subject; `false` leaves the subject empty (as lego does for long names). Default: the first name. */
  commonName?: string | false;
  hash?: HashName;
}

export async function createCsr(key: PrivateKeyMaterial, names: string[], o: CsrOptions = {}): Promise<x509.Pkcs10CertificateRequest> {
  const hash = o.hash ?? 'sha256';
  const cn = o.commonName === false ? undefined : (o.commonName ?? names[0]);
  return x509.Pkcs10CertificateRequestGenerator.create({
    name: toX509Name(cn ? [['CN', cn]] : []),
    signingAlgorithm: signParams(key.type, hash),
    keys: { privateKey: await signingKey(key, hash), publicKey: await publicKey(key, hash) },
    extensions: names.length ? [new x509.SubjectAlternativeNameExtension(names.map(generalName), false)] : [],
  });
}
