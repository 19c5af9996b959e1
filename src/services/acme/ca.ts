// The issuing side, built with the PKI engine: a fresh root and intermediate per run (Pebble's
// ca/), PEBBLE_CHAIN_LENGTH intermediates deep, and PEBBLE_ALTERNATE_ROOTS extra roots that
// cross-sign the same issuing intermediate, so one leaf verifies under every chain.
import { randomBytes } from 'node:crypto';
import { x509 } from '../../pki/crypto.ts';
import { generateKey, exportPrivateKey, type PrivateKeyMaterial } from '../../pki/keys.ts';
import { leafTemplate, signLeaf, type LeafTemplate } from './leaf.ts';
import { issueCertificate, randomSerial } from '../../pki/certificate.ts';
import { issueCrl } from '../../pki/crl.ts';
import type { KeyType } from '../../pki/key-spec.ts';

interface Issuer {
  key: PrivateKeyMaterial;
  cert: x509.X509Certificate;
}

export interface CaChain {
  root: Issuer;
  /** From the one under the root down to the issuing intermediate. */
  intermediates: Issuer[];
}

export interface IssuedCertificate {
  der: Uint8Array;
  serialHex: string;
  /** PEM served for each chain: leaf, then intermediates up to (not including) the root. */
  chains: string[];
  akiHex: string;
  notBefore: Date;
  notAfter: Date;
}

/** What the CA writes into every leaf besides the names and the key. */
export interface LeafOptions {
  /** Pebble's ocspResponderURL: an OCSP URL in AIA ('' for none, the default since Let's Encrypt ended OCSP in 2025). */
  ocspResponderURL: string;
  /** The CRL distribution point, as Let's Encrypt's certificates carry since 2025. */
  crlUrl?: string;
  /** The TLS client authentication EKU, which public CAs stopped issuing in 2026. */
  clientAuth: boolean;
}

/** How long a CRL of the CA says it is good for (Let's Encrypt's are about 10 days; the BRs allow 10). */
const CRL_VALIDITY_MS = 7 * 86_400_000;
/** How often the CA re-signs its CRL when nothing is revoked (Let's Encrypt's are reissued within a day). */
const CRL_REISSUE_MS = 86_400_000;

const pem = (c: x509.X509Certificate) => c.toString('pem') + '\n';
const CA_YEARS = 30;

export class CertificateAuthority {
  readonly chains: CaChain[];
  private readonly issuing: PrivateKeyMaterial;
  private readonly leafOptions: LeafOptions;

  private constructor(chains: CaChain[], issuing: PrivateKeyMaterial, leafOptions: LeafOptions) {
    this.chains = chains;
    this.issuing = issuing;
    this.leafOptions = leafOptions;
  }

  static async create(o: { keyType: KeyType; chainLength: number; alternateRoots: number; now: Date } & LeafOptions): Promise<CertificateAuthority> {
    const tag = () => randomBytes(3).toString('hex');
    const notBefore = new Date(o.now.getTime() - 60_000);
    const notAfter = new Date(o.now.getTime() + CA_YEARS * 365 * 86_400_000);
    const caCert = (subject: string, key: PrivateKeyMaterial, issuer?: Issuer) =>
      issueCertificate({
        subject: [['CN', subject]],
        key,
        ...(issuer ? { issuer: { subject: issuer.cert.subjectName, key: issuer.key, certificate: issuer.cert } } : {}),
        serialHex: randomSerial(),
        notBefore,
        notAfter,
        hash: 'sha256',
        basicConstraints: { ca: true },
        keyUsage: ['digitalSignature', 'keyCertSign', 'cRLSign'],
        subjectKeyIdentifier: true,
        authorityKeyIdentifier: Boolean(issuer),
      });
    const keys = await Promise.all(Array.from({ length: 1 + (o.alternateRoots + 1) * o.chainLength }, () => generateKey(o.keyType)));
    const issuing = keys.pop()!;
    const issuingSubject = `certharness Intermediate CA ${tag()}`;
    const chains: CaChain[] = [];
    for (let c = 0; c <= o.alternateRoots; c++) {
      const rootKey = keys.pop()!;
      const root = { key: rootKey, cert: await caCert(`certharness Root CA ${tag()}`, rootKey) };
      const intermediates: Issuer[] = [];
      let above: Issuer = root;
      for (let i = 1; i < o.chainLength; i++) {
        const k = keys.pop()!;
        above = { key: k, cert: await caCert(`certharness Intermediate CA ${tag()}`, k, above) };
        intermediates.push(above);
      }
      intermediates.push({ key: issuing, cert: await caCert(issuingSubject, issuing, above) });
      chains.push({ root, intermediates });
    }
    return new CertificateAuthority(chains, issuing, { ocspResponderURL: o.ocspResponderURL, ...(o.crlUrl ? { crlUrl: o.crlUrl } : {}), clientAuth: o.clientAuth });
  }

  /**
   * Signs a leaf. What is the same for every leaf (the signing key, the issuer name, basic
   * constraints, EKU, AKI, AIA) is prepared once in a template: issuance is the CA's hot path.
   */
  async issue(o: { spki: Uint8Array; rsa: boolean; names: string[]; notBefore: Date; notAfter: Date }): Promise<IssuedCertificate> {
    const { template, akiHex, intermediatesPem } = (this.prepared ??= this.prepare());
    const serialHex = randomSerial();
    const der = signLeaf(template, { ...o, serialHex });
    const leafPem = x509.PemConverter.encode(der, 'CERTIFICATE') + '\n';
    return { der, serialHex, chains: intermediatesPem.map((chain) => leafPem + chain), akiHex, notBefore: o.notBefore, notAfter: o.notAfter };
  }

  private prepared: { template: LeafTemplate; akiHex: string; intermediatesPem: string[] } | undefined;

  private prepare() {
    const issuingCert = this.chains[0]!.intermediates.at(-1)!.cert;
    return {
      template: leafTemplate({
        issuingCertDer: new Uint8Array(issuingCert.rawData),
        signingKey: this.issuing.object,
        ...(this.leafOptions.ocspResponderURL ? { ocspUrl: this.leafOptions.ocspResponderURL } : {}),
        ...(this.leafOptions.crlUrl ? { crlUrl: this.leafOptions.crlUrl } : {}),
        clientAuth: this.leafOptions.clientAuth,
      }),
      akiHex: issuingCert.getExtension(x509.SubjectKeyIdentifierExtension)!.keyId,
      intermediatesPem: this.chains.map((c) => [...c.intermediates].reverse().map((i) => pem(i.cert)).join('')),
    };
  }

  /**
   * The CRL of the issuing key (every chain's issuing certificate shares its name and key), as
   * its CRL distribution point serves it: numbered by how many certificates it lists, dated by
   * the latest revocation, so an unchanged list is the same CRL every time.
   */
  /**
   * The CRL as of `now` on the CA's clock. Like a real CA, it re-signs on a schedule (every
   * CRL_REISSUE_MS from its start) and at each revocation, so a CRL fetched on any day of a
   * scenario's clock is current; each issue has a higher number.
   */
  async crl(revoked: { serialHex: string; reason: number; at: Date }[], started: Date, now: Date): Promise<x509.X509Crl> {
    const issues = Math.max(0, Math.floor((now.getTime() - started.getTime()) / CRL_REISSUE_MS));
    // A clock set before the CA started (a scenario in the past) gets a CRL of that moment.
    const scheduled = now < started ? now : new Date(started.getTime() + issues * CRL_REISSUE_MS);
    const since = revoked.reduce((latest, r) => (r.at > latest && r.at <= now ? r.at : latest), scheduled);
    return issueCrl({
      issuer: { certificate: this.chains[0]!.intermediates.at(-1)!.cert, key: this.issuing },
      revoked: revoked.map((r) => ({ serialHex: r.serialHex, date: r.at, reason: r.reason as x509.X509CrlReason })),
      thisUpdate: since,
      nextUpdate: new Date(since.getTime() + CRL_VALIDITY_MS),
      hash: 'sha256',
      number: issues + revoked.length + 1,
    });
  }

  /** The management interface's /roots/N, /root-keys/N, /intermediates/N, /intermediate-keys/N. */
  managed(kind: 'roots' | 'root-keys' | 'intermediates' | 'intermediate-keys', n: number): string | undefined {
    const chain = this.chains[n];
    if (!chain) return undefined;
    const issuing = chain.intermediates.at(-1)!;
    switch (kind) {
      case 'roots':
        return pem(chain.root.cert);
      case 'root-keys':
        return exportPrivateKey(chain.root.key);
      case 'intermediates':
        return pem(issuing.cert);
      case 'intermediate-keys':
        return exportPrivateKey(issuing.key);
    }
  }
}
