// Reads PKCS#12 bundles of every protection in use (PBES2 with AES or 3DES, the PKCS#12 PBEs
// with 3DES and RC2-40, none) and reports how each part is protected, as `openssl pkcs12 -info`
// does, plus what a person needs before sending the file to someone: does the key match the
// leaf, is the leaf first, does it carry localKeyId and a friendly name.
import forge from 'node-forge';
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { OID, oidName } from './profiles.ts';

const { asn1 } = forge;
type Asn1 = forge.asn1.Asn1;

export interface PbeInfo {
  /** openssl's name: "PBES2" or "pbeWithSHA1And40BitRC2-CBC"... */
  scheme: string;
  kdf?: string;
  prf?: string;
  cipher?: string;
  iterations: number;
}

export interface Pkcs12Certificate {
  der: Uint8Array;
  pem: string;
  subject: string;
  issuer: string;
  serial: string;
  isCa: boolean;
  selfSigned: boolean;
  friendlyName?: string;
  localKeyId?: string;
}

export interface Pkcs12Info {
  mac?: { algorithm: string; iterations: number; saltLength: number };
  /** How each ContentInfo of the AuthenticatedSafe is protected, in file order. */
  contents: { kind: 'data' | 'encryptedData'; encryption?: PbeInfo; bags: string[] }[];
  key?: {
    encryption?: PbeInfo;
    /** PKCS#8 DER, decrypted. */
    pkcs8: Uint8Array;
    pem: string;
    type: string;
    bits?: number;
    friendlyName?: string;
    localKeyId?: string;
  };
  certificates: Pkcs12Certificate[];
  /** Index in `certificates` of the certificate that goes with the key (-1: none). */
  leafIndex: number;
  keyMatchesLeaf: boolean;
}

export class Pkcs12Error extends Error {
  readonly code: 'not-pkcs12' | 'bad-password' | 'unsupported' | 'needs-password';
  constructor(message: string, code: Pkcs12Error['code']) {
    super(message);
    this.name = 'Pkcs12Error';
    this.code = code;
  }
}

const raw = (b: Uint8Array) => forge.util.binary.raw.encode(b);
const toBytes = (s: string) => new Uint8Array(forge.util.binary.raw.decode(s));
const children = (a: Asn1 | undefined): Asn1[] => (a && Array.isArray(a.value) ? (a.value as Asn1[]) : []);
const oidOf = (a: Asn1 | undefined) => (a ? asn1.derToOid(a.value as string) : '');
const intOf = (a: Asn1 | undefined) => (a ? asn1.derToInteger(a.value as string) : 1);
/** OCTET STRING content, also when BER splits it into constructed chunks (Windows and Java do). */
function octetsOf(a: Asn1 | undefined): string {
  if (!a) return '';
  return Array.isArray(a.value) ? (a.value as Asn1[]).map(octetsOf).join('') : (a.value as string);
}

function parseDer(data: string, what: string): Asn1 {
  try {
    return asn1.fromDer(data, { strict: false, parseAllBytes: false } as never);
  } catch (e) {
    throw new Pkcs12Error(`${what} is not valid DER (${(e as Error).message})`, 'not-pkcs12');
  }
}

export function describePbe(algorithm: Asn1): PbeInfo {
  const [idNode, params] = children(algorithm);
  const id = oidOf(idNode);
  if (id === OID.pbes2) {
    const [kdf, enc] = children(params);
    const [kdfId, kdfParams] = children(kdf);
    const p = children(kdfParams);
    // PBKDF2-params: salt, iterationCount, keyLength OPTIONAL, prf DEFAULT hmacWithSHA1
    const prfNode = p.find((x, i) => i >= 2 && x.type === asn1.Type.SEQUENCE);
    return {
      scheme: 'PBES2',
      kdf: oidName(oidOf(kdfId)),
      prf: prfNode ? oidName(oidOf(children(prfNode)[0])) : 'hmacWithSHA1',
      cipher: oidName(oidOf(children(enc)[0])),
      iterations: intOf(p[1]),
    };
  }
  return { scheme: oidName(id), iterations: intOf(children(params)[1]) };
}

function decrypt(algorithm: Asn1, ciphertext: string, password: string, what: string): Asn1 {
  const pbes2 = oidOf(children(algorithm)[0]) === OID.pbes2;
  const wrapped = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [algorithm, asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, ciphertext)]);
  let out: Asn1 | null = null;
  try {
    // PBES2 takes the password as UTF-8 bytes, the PKCS#12 PBEs as BMPString (forge converts).
    out = forge.pki.decryptPrivateKeyInfo(wrapped, pbes2 ? forge.util.encodeUtf8(password) : password);
  } catch (e) {
    const msg = (e as Error).message;
    if (/unsupported|unknown/i.test(msg)) throw new Pkcs12Error(`${what}: unsupported encryption ${describePbe(algorithm).scheme} (${msg})`, 'unsupported');
  }
  if (!out) throw new Pkcs12Error(`${what} cannot be decrypted: wrong password`, 'bad-password');
  return out;
}

function bagAttributes(bag: Asn1): { friendlyName?: string; localKeyId?: string } {
  const out: { friendlyName?: string; localKeyId?: string } = {};
  const attrs = children(bag)[2];
  for (const attr of children(attrs)) {
    const [id, values] = children(attr);
    const first = children(values)[0];
    if (!first) continue;
    const oid = oidOf(id);
    if (oid === OID.friendlyName) out.friendlyName = first.value as string; // forge decodes BMPString
    if (oid === OID.localKeyId) out.localKeyId = forge.util.bytesToHex(octetsOf(first)).toUpperCase();
  }
  return out;
}

const MAC_MD: Record<string, () => forge.md.MessageDigest> = {
  [OID.sha1]: () => forge.md.sha1.create(),
  [OID.sha256]: () => forge.md.sha256.create(),
  [OID.sha384]: () => forge.md.sha384.create(),
  [OID.sha512]: () => forge.md.sha512.create(),
};

function verifyMac(macData: Asn1, authSafe: string, password: string, label: string): { algorithm: string; iterations: number; saltLength: number } {
  const [digestInfo, saltNode, iterNode] = children(macData);
  const [algId, digestNode] = children(digestInfo);
  const algOid = oidOf(children(algId)[0]);
  const salt = octetsOf(saltNode);
  const iterations = iterNode ? intOf(iterNode) : 1;
  const info = { algorithm: oidName(algOid), iterations, saltLength: salt.length };
  const mdFactory = MAC_MD[algOid];
  if (!mdFactory) throw new Pkcs12Error(`MAC algorithm ${oidName(algOid)} is not supported`, 'unsupported');
  const expected = octetsOf(digestNode);
  // An empty password is "\0\0" (OpenSSL) or zero bytes (some Windows tools): accept either.
  const candidates: (string | forge.util.ByteStringBuffer)[] = password === '' ? ['', forge.util.createBuffer('')] : [password];
  for (const pw of candidates) {
    const md = mdFactory();
    const key = forge.pkcs12.generateKey(pw as string, forge.util.createBuffer(salt), 3, iterations, md.digestLength, mdFactory());
    const hmac = forge.hmac.create();
    hmac.start(md, key);
    hmac.update(authSafe);
    if (hmac.digest().getBytes() === expected) return info;
  }
  throw new Pkcs12Error(`${label}: MAC verification failed (${info.algorithm}, ${iterations} iterations): wrong password?`, 'bad-password');
}

export function readPkcs12(data: Uint8Array, password: string | undefined, label = 'PKCS#12 file'): Pkcs12Info {
  const pfx = parseDer(raw(data), label);
  const [version, authSafeInfo, macData] = children(pfx);
  if (!version || !authSafeInfo || version.type !== asn1.Type.INTEGER || oidOf(children(authSafeInfo)[0]) !== OID.data) {
    throw new Pkcs12Error(`${label} is not a PKCS#12 file (no PFX structure)`, 'not-pkcs12');
  }
  const authSafe = octetsOf(children(children(authSafeInfo)[1])[0]);
  const info: Pkcs12Info = { contents: [], certificates: [], leafIndex: -1, keyMatchesLeaf: false };
  const pw = password ?? '';
  if (macData) {
    if (password === undefined) throw new Pkcs12Error(`${label} is protected by a MAC and no password was given`, 'needs-password');
    info.mac = verifyMac(macData, authSafe, pw, label);
  }

  const certAttrs: Pkcs12Certificate[] = [];
  for (const ci of children(parseDer(authSafe, `${label} (AuthenticatedSafe)`))) {
    const [typeNode, content] = children(ci);
    const kind = oidOf(typeNode);
    let safeContents: string;
    let encryption: PbeInfo | undefined;
    if (kind === OID.data) safeContents = octetsOf(children(content)[0]);
    else if (kind === OID.encryptedData) {
      const encryptedData = children(content)[0];
      const eci = children(encryptedData)[1];
      const [, algorithm, encrypted] = children(eci);
      encryption = describePbe(algorithm!);
      if (password === undefined) throw new Pkcs12Error(`${label} has encrypted contents and no password was given`, 'needs-password');
      safeContents = asn1.toDer(decrypt(algorithm!, octetsOf(encrypted), pw, `${label}: encrypted certificates`)).getBytes();
    } else throw new Pkcs12Error(`${label}: unsupported content type ${kind}`, 'unsupported');
    const bags = children(parseDer(safeContents, `${label} (SafeContents)`));
    info.contents.push({ kind: kind === OID.data ? 'data' : 'encryptedData', ...(encryption ? { encryption } : {}), bags: bags.map((b) => oidName(oidOf(children(b)[0]))) });
    for (const bag of bags) {
      const [idNode, valueWrapper] = children(bag);
      const bagId = oidOf(idNode);
      const value = children(valueWrapper)[0]!;
      const attrs = bagAttributes(bag);
      if (bagId === OID.certBag) {
        const der = toBytes(octetsOf(children(children(value)[1])[0]));
        certAttrs.push(describeCertificate(der, attrs));
      } else if (bagId === OID.keyBag || bagId === OID.pkcs8ShroudedKeyBag) {
        let keyInfo = value;
        let keyEncryption: PbeInfo | undefined;
        if (bagId === OID.pkcs8ShroudedKeyBag) {
          const [algorithm, encrypted] = children(value);
          keyEncryption = describePbe(algorithm!);
          keyInfo = decrypt(algorithm!, octetsOf(encrypted), pw, `${label}: private key`);
        }
        const pkcs8 = toBytes(asn1.toDer(keyInfo).getBytes());
        const object = createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' });
        const d = object.asymmetricKeyDetails;
        info.key = {
          ...(keyEncryption ? { encryption: keyEncryption } : {}),
          pkcs8,
          pem: object.export({ type: 'pkcs8', format: 'pem' }) as string,
          type: object.asymmetricKeyType ?? 'unknown',
          ...(d?.modulusLength ? { bits: d.modulusLength } : {}),
          ...attrs,
        };
      }
    }
  }
  info.certificates = certAttrs;

  // The leaf: the certificate whose public key is the key's; failing that, the one sharing its localKeyId.
  if (info.key) {
    const spki = createPublicKey(createPrivateKey({ key: Buffer.from(info.key.pkcs8), format: 'der', type: 'pkcs8' })).export({ type: 'spki', format: 'der' });
    info.leafIndex = info.certificates.findIndex((c) => new X509Certificate(c.der).publicKey.export({ type: 'spki', format: 'der' }).equals(spki));
    info.keyMatchesLeaf = info.leafIndex !== -1;
    if (info.leafIndex === -1 && info.key.localKeyId) info.leafIndex = info.certificates.findIndex((c) => c.localKeyId === info.key!.localKeyId);
  } else {
    info.leafIndex = info.certificates.findIndex((c) => !c.isCa);
  }
  return info;
}

function describeCertificate(der: Uint8Array, attrs: { friendlyName?: string; localKeyId?: string }): Pkcs12Certificate {
  const c = new X509Certificate(der);
  return {
    der,
    pem: c.toString(),
    subject: c.subject.split('\n').join(', '),
    issuer: c.issuer.split('\n').join(', '),
    serial: c.serialNumber,
    isCa: c.ca,
    selfSigned: c.subject === c.issuer,
    ...attrs,
  };
}
