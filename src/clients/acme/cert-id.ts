// ARI's name for a certificate (RFC 9773 §4.1): base64url(AKI keyIdentifier) "." base64url(serial).
import { x509 } from '../../pki/crypto.ts';

/** The certID of a PEM certificate, or undefined when it has no authority key identifier. */
export function certIdOfPem(pem: string): string | undefined {
  const cert = new x509.X509Certificate(pem);
  const aki = cert.getExtension(x509.AuthorityKeyIdentifierExtension)?.keyId;
  if (!aki) return undefined;
  const serial = cert.serialNumber.length % 2 ? `0${cert.serialNumber}` : cert.serialNumber;
  return `${Buffer.from(aki, 'hex').toString('base64url')}.${Buffer.from(serial, 'hex').toString('base64url')}`;
}
