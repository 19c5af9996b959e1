// Writes PKCS#12 bundles with a chosen protection. The structure is built with node-forge's
// ASN.1 module (no hand-written DER); forge also provides the PKCS#12 key derivation (RFC 7292
// Appendix B), 3DES and RC2, which Node on OpenSSL 3 (and Bun, Deno) do not all offer.
import forge from 'node-forge';
import type { Pkcs12Protection, CertProtection } from './profiles.ts';
import { OID } from './profiles.ts';

const { asn1 } = forge;
type Asn1 = forge.asn1.Asn1;

export interface Pkcs12Input {
  /** PKCS#8 DER of the private key; absent for a certificates-only bundle. */
  keyPkcs8?: Uint8Array;
  /** DER certificates, the leaf first. */
  certificates: Uint8Array[];
  /** `-name`: the friendly name of the leaf and its key. */
  friendlyName?: string;
  /** Add localKeyId (SHA-1 of the leaf) to the leaf and key, as openssl does (default true). */
  localKeyId?: boolean;
  /** The export password; '' is an empty password (which macOS refuses), not "no password". */
  password: string;
  protection: Pkcs12Protection;
}

const bytes = (b: Uint8Array) => forge.util.binary.raw.encode(b);
const seq = (items: Asn1[]) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, items);
const set = (items: Asn1[]) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SET, true, items);
const oid = (o: string) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(o).getBytes());
const octets = (raw: string) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, raw);
const int = (n: number) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, asn1.integerToDer(n).getBytes());
const explicit0 = (inner: Asn1) => asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [inner]);
const der = (a: Asn1) => asn1.toDer(a).getBytes();

function attributes(friendlyName: string | undefined, keyId: string | undefined): Asn1[] {
  const attrs: Asn1[] = [];
  if (friendlyName !== undefined) attrs.push(seq([oid(OID.friendlyName), set([asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BMPSTRING, false, friendlyName) /* forge encodes BMPString as UCS-2 itself */])]));
  if (keyId !== undefined) attrs.push(seq([oid(OID.localKeyId), set([octets(keyId)])]));
  return attrs;
}

function safeBag(bagId: string, value: Asn1, attrs: Asn1[]): Asn1 {
  return seq([oid(bagId), explicit0(value), ...(attrs.length ? [set(attrs)] : [])]);
}

/** Encrypts `content` under a password-based scheme; returns the AlgorithmIdentifier and the ciphertext. */
export function pbeEncrypt(content: string, password: string, scheme: Exclude<CertProtection, 'none'>, iterations: number): { algorithm: Asn1; ciphertext: string } {
  if (scheme === 'rc2-40') {
    const salt = forge.random.getBytesSync(8);
    // RFC 7292 Appendix C: pbeWithSHAAnd40BitRC2-CBC; key (ID 1) and IV (ID 2) from the PKCS#12 KDF.
    const key = forge.pkcs12.generateKey(password, forge.util.createBuffer(salt), 1, iterations, 5);
    const iv = forge.pkcs12.generateKey(password, forge.util.createBuffer(salt), 2, iterations, 8);
    const cipher = forge.rc2.createEncryptionCipher(key, 40);
    cipher.start(iv);
    cipher.update(forge.util.createBuffer(content));
    cipher.finish();
    return { algorithm: seq([oid(OID.pbeSha1Rc2_40), seq([octets(salt), int(iterations)])]), ciphertext: cipher.output.getBytes() };
  }
  // forge.pki.encryptPrivateKeyInfo encrypts the DER of any ASN.1 value; it implements PBES2
  // (PBKDF2, AES) and pbeWithSHAAnd3-KeyTripleDES-CBC. PBES2 takes the password as UTF-8 bytes
  // (as OpenSSL does); the PKCS#12 PBEs take it as BMPString, which forge derives itself.
  const wrapped = forge.pki.encryptPrivateKeyInfo(asn1.fromDer(content), scheme === 'aes256' ? forge.util.encodeUtf8(password) : password, {
    algorithm: scheme,
    count: iterations,
    saltSize: 8,
    prfAlgorithm: 'sha256',
  } as forge.pki.EncryptionOptions);
  const [algorithm, data] = wrapped.value as Asn1[];
  return { algorithm: algorithm!, ciphertext: data!.value as string };
}

export function writePkcs12(input: Pkcs12Input): Uint8Array {
  const p = input.protection;
  const leaf = input.certificates[0];
  const keyId = input.localKeyId === false || !leaf ? undefined : forge.md.sha1.create().update(bytes(leaf)).digest().getBytes();

  // Certificates: the leaf carries friendlyName and localKeyId; CA certificates carry nothing.
  const certBags = input.certificates.map((c, i) =>
    safeBag(OID.certBag, seq([oid(OID.x509Certificate), explicit0(octets(bytes(c)))]), i === 0 ? attributes(input.friendlyName, keyId) : []),
  );
  const certContents = der(seq(certBags));
  const contentInfos: Asn1[] = [];
  if (certBags.length) {
    if (p.certPbe === 'none') contentInfos.push(seq([oid(OID.data), explicit0(octets(certContents))]));
    else {
      const { algorithm, ciphertext } = pbeEncrypt(certContents, input.password, p.certPbe, p.iterations);
      const encryptedContentInfo = seq([oid(OID.data), algorithm, asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, false, ciphertext)]);
      contentInfos.push(seq([oid(OID.encryptedData), explicit0(seq([int(0), encryptedContentInfo]))]));
    }
  }

  if (input.keyPkcs8) {
    const keyInfo = asn1.fromDer(bytes(input.keyPkcs8));
    const keyBag =
      p.keyPbe === 'none'
        ? safeBag(OID.keyBag, keyInfo, attributes(input.friendlyName, keyId))
        : (() => {
            const { algorithm, ciphertext } = pbeEncrypt(der(keyInfo), input.password, p.keyPbe, p.iterations);
            return safeBag(OID.pkcs8ShroudedKeyBag, seq([algorithm, octets(ciphertext)]), attributes(input.friendlyName, keyId));
          })();
    contentInfos.push(seq([oid(OID.data), explicit0(octets(der(seq([keyBag]))))]));
  }

  const authSafe = der(seq(contentInfos));
  const pfx: Asn1[] = [int(3), seq([oid(OID.data), explicit0(octets(authSafe))])];
  if (p.mac !== 'none') {
    // RFC 7292 Appendix B: the MAC key is derived with ID 3 and the MAC's own hash.
    const md = p.mac === 'sha256' ? forge.md.sha256.create() : forge.md.sha1.create();
    const macSalt = forge.random.getBytesSync(8);
    const key = forge.pkcs12.generateKey(input.password, forge.util.createBuffer(macSalt), 3, p.macIterations, md.digestLength, md);
    const hmac = forge.hmac.create();
    hmac.start(md, key);
    hmac.update(authSafe);
    const digest = hmac.digest().getBytes();
    pfx.push(seq([seq([seq([oid(p.mac === 'sha256' ? OID.sha256 : OID.sha1), asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, '')]), octets(digest)]), octets(macSalt), int(p.macIterations)]));
  }
  return new Uint8Array(forge.util.binary.raw.decode(der(seq(pfx))));
}
