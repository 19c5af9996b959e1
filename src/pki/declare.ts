// The `pki:` section: what a scenario can declare, and what `{{name.prop}}` exposes.
//
//   pki:
//     ca:     { subject: "CN=Example CA", key: rsa-4096, days: 365 }          # no issuer: a self-signed root
//     server: { issuer: ca, subject: "CN=localhost", san: [localhost, 127.0.0.1] }
//     client: { issuer: ca, subject: "/CN=api-client", usage: client, keyPassword: secret }
//     old:    { issuer: ca, subject: "CN=old", usage: client, notBefore: -30d, notAfter: -1d }   # expired
//     real:   { certFile: /etc/ssl/site.crt, keyFile: /etc/ssl/site.key }     # loaded, not generated
import { s } from '../scenario/schema.ts';
import { checkCertificateDecl } from './rules.ts';
import { nameConstraintProblem, type NameConstraintsDecl } from './name-constraints.ts';
import { KEY_TYPES, HASHES } from './key-spec.ts';
import { KEY_FORMATS, KEY_CIPHERS } from './keys.ts';
import { USAGES, KEY_USAGE_NAMES, EKU_NAMES } from './certificate.ts';
import { DN_ATTRIBUTES } from './names.ts';
import { PKCS12_PROFILE_NAMES, type Pkcs12ProfileName } from './pkcs12/profiles.ts';
import { resolveWhen } from './when.ts';

export interface CertificateDecl {
  subject?: string | Record<string, string>;
  issuer?: string;
  key?: (typeof KEY_TYPES)[number];
  keyFormat?: (typeof KEY_FORMATS)[number];
  keyPassword?: string;
  keyCipher?: (typeof KEY_CIPHERS)[number];
  usage?: (typeof USAGES)[number];
  keyUsage?: (typeof KEY_USAGE_NAMES)[number][];
  extendedKeyUsage?: (typeof EKU_NAMES)[number][];
  pathlen?: number;
  san?: string[];
  serial?: string | number;
  days?: number;
  notBefore?: string;
  notAfter?: string;
  hash?: (typeof HASHES)[number];
  subjectKeyIdentifier?: boolean;
  authorityKeyIdentifier?: boolean;
  crlDistributionPoints?: string[];
  ocsp?: string[];
  mustStaple?: boolean;
  revoked?: boolean | (typeof CRL_REASONS)[number];
  nameConstraints?: NameConstraintsDecl;
  caIssuers?: string[];
  csr?: boolean;
  der?: boolean;
  certFile?: string;
  keyFile?: string;
  password?: string;
  broken?: boolean;
}

/** What each subject attribute is, in the order `openssl req` prompts for them. */
const ATTRIBUTE_MEANINGS: Record<(typeof DN_ATTRIBUTES)[number], string> = {
  C: 'Country (two letters)',
  ST: 'State or province',
  L: 'Locality (city)',
  O: 'Organization',
  OU: 'Organizational unit',
  CN: 'Common Name: what clients dial',
  emailAddress: 'e-mail address (a PKCS#9 attribute, as openssl writes it)',
};

const subjectSchema = s.anyOf(
  [
    s.string({ description: 'RFC 4514 ("CN=localhost, O=Example") or openssl -subj ("/C=FR/CN=localhost")' }),
    s.object(Object.fromEntries(DN_ATTRIBUTES.map((a) => [a, s.anyOf([s.string(), s.number()], ATTRIBUTE_MEANINGS[a])]))),
  ],
  'the subject DN; "." leaves an attribute empty, as at openssl req\'s prompts',
);

export const CRL_REASONS = ['unspecified', 'keyCompromise', 'cACompromise', 'affiliationChanged', 'superseded', 'cessationOfOperation', 'certificateHold', 'removeFromCRL', 'privilegeWithdrawn', 'aACompromise'] as const;

/** A time: an ISO date or an offset from now; one that cannot be read is refused when the file is loaded. */
export const when = s.string({
  description: 'an ISO date (2026-01-05T09:00:00Z) or an offset from now (-30d, +10d, -1h)',
  pattern: '^([+-]\\d+(\\.\\d+)?(ms|s|m|h|d)|\\d{4}-\\d{2}-\\d{2}.*)$',
  check: (v) => {
    if (v.includes('{{')) return undefined; // known at run time
    try {
      resolveWhen(v, new Date());
      return undefined;
    } catch (e) {
      return `is not a time: ${(e as Error).message}`;
    }
  },
});

export const certificateSchema = s.object(
  {
    subject: subjectSchema,
    issuer: s.string({ ref: 'pki', description: 'the PKI item that signs this one; absent (or itself): self-signed' }),
    key: s.enum(KEY_TYPES, 'key type (default rsa-2048)'),
    keyFormat: s.enum(KEY_FORMATS, 'how the key file is written: pkcs8 (BEGIN PRIVATE KEY, default) or pkcs1/sec1 (BEGIN RSA/EC PRIVATE KEY)'),
    keyPassword: s.string({ description: 'encrypt the key file with this password (pkcs1 + password = the Proc-Type/DEK-Info form of openssl genrsa -des3)' }),
    keyCipher: s.enum(KEY_CIPHERS, 'cipher for keyPassword (default des-ede3-cbc)'),
    usage: s.enum(USAGES, 'sets basicConstraints, keyUsage and extendedKeyUsage: ca (default without issuer), server (default with issuer), client, server+client, none'),
    keyUsage: s.array(s.enum(KEY_USAGE_NAMES), { description: 'overrides the keyUsage that usage implies' }),
    extendedKeyUsage: s.array(s.enum(EKU_NAMES), { description: 'overrides the extendedKeyUsage that usage implies; [] leaves it out' }),
    pathlen: s.integer({ minimum: 0, maximum: 255, description: 'basicConstraints pathLenConstraint of a CA (at most 255)' }),
    san: s.array(s.anyOf([s.string(), s.number()]), { description: 'subjectAltName: host names, IP addresses, e-mail addresses, URIs (or dns:/ip:/email:/uri: prefixed)' }),
    serial: s.anyOf([s.string(), s.integer({ minimum: 0 })], 'serial number, like -set_serial (01, 0x1F, 1234); default: random 128-bit'),
    days: s.number({ minimum: 0, maximum: 36_500, description: 'validity from now in days (default 365; like openssl -days; at most 36500; for longer, notAfter: 9999-12-31T23:59:59Z)' }),
    notBefore: when,
    notAfter: when,
    hash: s.enum(HASHES, 'signature hash (default sha256)'),
    subjectKeyIdentifier: s.boolean('add subjectKeyIdentifier (default true)'),
    authorityKeyIdentifier: s.boolean('add authorityKeyIdentifier (default true when there is an issuer)'),
    crlDistributionPoints: s.array(s.string(), { description: 'CRL distribution point URLs (a key named crl: would make the item a CRL)' }),
    ocsp: s.array(s.string(), { description: 'AIA OCSP responder URLs' }),
    nameConstraints: s.object(
      {
        permitted: s.array(s.string({ check: nameConstraintProblem }), { description: 'DNS names (each permits itself and every name under it) and IP ranges (127.0.0.0/8) the certificates below may carry' }),
        excluded: s.array(s.string({ check: nameConstraintProblem }), { description: 'DNS names and IP ranges they may not carry' }),
      },
      { description: 'a CA\'s name constraints (RFC 5280 §4.2.1.10, critical): a client refuses a certificate below it whose subjectAltName falls outside them' },
    ),
    revoked: s.anyOf([s.boolean(), s.enum(CRL_REASONS)], 'revoked from the start of the run at the CA item that issued it, with this CRLReason (true: unspecified): the crl and ocsp services, the CRL files and upstreams with crl: list it, as after a revoke step'),
    mustStaple: s.boolean('OCSP Must-Staple (RFC 7633 TLS Feature status_request): a client that honours it refuses this certificate without a stapled OCSP answer'),
    caIssuers: s.array(s.string(), { description: 'AIA caIssuers URLs' }),
    csr: s.boolean('also write a CSR (<name>.csr) for the key and subject'),
    der: s.boolean('also write the certificate in DER (<name>.der)'),
    certFile: s.string({ inputFile: true, description: 'load this certificate instead of generating one (relative to the scenario file); without keyFile it is a trust anchor only, and steps that need what it would issue are skipped' }),
    keyFile: s.string({ inputFile: true, description: 'load this private key instead of generating one' }),
    password: s.string({ description: 'password of keyFile when it is encrypted' }),
    broken: s.boolean('make it even where RFC 5280 forbids it (a 21-octet serial, a 65-character CN, a SAN that is not a name, notAfter before notBefore): a deliberately wrong certificate, which `pki lint` reports'),
  },
  { description: 'a key and certificate, generated fresh for the run or loaded from files', check: checkCertificateDecl },
);

export interface Pkcs12Decl {
  pkcs12: string;
  password: string;
  name?: string;
  profile?: Pkcs12ProfileName;
  chain?: boolean;
  keyPbe?: 'aes256' | '3des' | 'none';
  certPbe?: 'aes256' | '3des' | 'rc2-40' | 'none';
  mac?: 'sha1' | 'sha256' | 'none';
  iterations?: number;
  localKeyId?: boolean;
  keyOf?: string;
  withoutKey?: boolean;
}

export const pkcs12Schema = s.object(
  {
    pkcs12: s.string({ ref: 'pki', description: 'the certificate item whose key and certificate go into the bundle' }),
    password: s.string({ description: 'export password, as in `--cert client.p12:pass`; "" is an empty password' }),
    name: s.string({ description: 'friendly name of the leaf and key (openssl -name)' }),
    profile: s.enum(PKCS12_PROFILE_NAMES, 'modern (OpenSSL 3 default, default here), legacy (openssl -legacy: RC2-40 + 3DES, SHA-1 MAC) or compat (3DES everywhere, SHA-1 MAC: loads everywhere)'),
    chain: s.boolean('include the issuer certificates (openssl -certfile / -chain); default true'),
    keyPbe: s.enum(['aes256', '3des', 'none'], 'override how the key is encrypted'),
    certPbe: s.enum(['aes256', '3des', 'rc2-40', 'none'], 'override how the certificates are encrypted'),
    mac: s.enum(['sha1', 'sha256', 'none'], 'override the MAC (none = openssl -nomac)'),
    iterations: s.integer({ minimum: 1, description: 'KDF and MAC iterations (default 2048, as OpenSSL)' }),
    localKeyId: s.boolean('add localKeyId to the leaf and key (default true, as openssl does)'),
    keyOf: s.string({ ref: 'pki', description: "put this other item's key in the bundle (a deliberately mismatched pair)" }),
    withoutKey: s.boolean('leave the private key out (openssl -nokeys)'),
  },
  { required: ['pkcs12', 'password'], description: 'a PKCS#12 bundle of another item: <workDir>/pki/<name>.p12' },
);

export interface CrlDecl {
  crl: string;
  revoked?: (string | { serial?: string; item?: string; reason?: string; date?: string })[];
  thisUpdate?: string;
  nextUpdate?: string;
  hash?: (typeof HASHES)[number];
  number?: number;
}


export const crlSchema = s.object(
  {
    crl: s.string({ ref: 'pki', description: 'the CA that signs the CRL' }),
    revoked: s.array(
      s.anyOf([
        s.string({ ref: 'pki', description: 'a certificate item to revoke' }),
        s.object({ item: s.string({ ref: 'pki', description: 'a certificate item to revoke' }), serial: s.string({ description: 'hex serial, for certificates not declared here' }), reason: s.enum(CRL_REASONS, 'RFC 5280 CRLReason'), date: s.string({ description: 'revocation date (ISO or -1d)' }) }),
      ]),
      { description: 'what the CRL lists' },
    ),
    thisUpdate: s.string({ description: 'ISO date or offset (default now)' }),
    nextUpdate: s.string({ description: 'ISO date or offset (default +7d); a past date makes an expired CRL' }),
    hash: s.enum(HASHES, 'signature hash (default sha256)'),
    number: s.integer({ minimum: 0, description: 'cRLNumber (default 1)' }),
  },
  { required: ['crl'], description: 'a certificate revocation list signed by a CA: <workDir>/pki/<name>.crl' },
);

export interface TrustDecl {
  trust: string[];
}

export const trustSchema = s.object(
  { trust: s.array(s.string({ ref: 'pki' }), { minItems: 1, description: 'the certificate items it holds (usually CAs)' }) },
  {
    required: ['trust'],
    description: 'a trust bundle: the certificates of these items in one PEM file, <workDir>/pki/<name>.pem. `--pki NAME=FILE` replaces it with your own bundle (the CA your server certificate chains to)',
  },
);

export const TRUST_PROPERTIES = ['certFile', 'pem'] as const;

export const PKCS12_PROPERTIES = ['p12File', 'password', 'friendlyName', 'profile', 'certFile', 'keyFile'] as const;
export const CRL_PROPERTIES = ['crlFile', 'pem', 'derFile'] as const;

/** What `{{name.prop}}` may name on a certificate item. */
export const PKI_PROPERTIES = [
  'certFile',
  'keyFile',
  'csrFile',
  'derFile',
  'chainFile',
  'fullchainFile',
  'pem',
  'keyPem',
  'chainPem',
  'serial',
  'fingerprint',
  'subject',
  'issuer',
  'commonName',
  'notBefore',
  'notAfter',
  'keyPassword',
  'keyType',
  'crlFile',
] as const;

/** The PKI item kinds, for the scenario catalog: `default` is a certificate. */
export const PKI_KINDS = {
  default: { schema: certificateSchema, properties: PKI_PROPERTIES, summary: 'a key and certificate, generated fresh or loaded from files' },
  pkcs12: { schema: pkcs12Schema, properties: PKCS12_PROPERTIES, summary: 'a PKCS#12 bundle of a certificate item' },
  crl: { schema: crlSchema, properties: CRL_PROPERTIES, summary: 'a CRL signed by a CA item' },
  trust: { schema: trustSchema, properties: TRUST_PROPERTIES, summary: 'a trust bundle: the certificates of other items in one file, replaceable with --pki' },
};

/** The kind of a declared item: the key that names another kind (`pkcs12:`, `crl:`, `trust:`), or a certificate. */
export function declaredPkiKind(spec: Record<string, unknown>): keyof typeof PKI_KINDS {
  return (Object.keys(PKI_KINDS) as (keyof typeof PKI_KINDS)[]).find((k) => k !== 'default' && k in spec) ?? 'default';
}
