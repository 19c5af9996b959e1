// Builds a scenario's `pki:` section into files in the work directory. Keys are generated
// first, all at once (off the main thread), then certificates in issuer order.
import { readFile, mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { x509 } from './crypto.ts';
import { type KeyType, familyOf } from './key-spec.ts';
import { type PrivateKeyMaterial, generateKey, loadPrivateKey, exportPrivateKey, signingKey, publicKey } from './keys.ts';
import { issueCertificate, randomSerial, serialToHex, usageDefaults, type Usage } from './certificate.ts';
import { parseSubject } from './names.ts';
import { writeFileAtomic, writePrivate } from './files.ts';
import { signParams } from './key-spec.ts';
import { parseDuration } from '../scenario/duration.ts';
import type { CertificateDecl } from './declare.ts';

export interface PkiItem {
  name: string;
  key: PrivateKeyMaterial;
  certificate: x509.X509Certificate;
  /** Issuer certificates from the direct issuer up to the root. */
  issuers: x509.X509Certificate[];
  /** What `{{name.prop}}` resolves to. */
  props: Record<string, string>;
}

export class PkiError extends Error {
  readonly item: string;
  constructor(item: string, message: string) {
    super(`pki.${item}: ${message}`);
    this.item = item;
    this.name = 'PkiError';
  }
}

export interface BuildOptions {
  workDir: string;
  scenarioDir: string;
  /** "Now" for validity periods (scenarios with a clock set it). */
  now?: Date;
}

/** Resolves "-30d", "+1h" or an ISO date against now. */
export function resolveWhen(text: string, now: Date): Date {
  const rel = /^([+-])(.+)$/.exec(text.trim());
  if (rel) {
    const ms = parseDuration(rel[2]!);
    if (ms === undefined) throw new Error(`'${text}' is not an offset like -30d`);
    return new Date(now.getTime() + (rel[1] === '-' ? -ms : ms));
  }
  const d = new Date(text);
  if (Number.isNaN(d.getTime())) throw new Error(`'${text}' is not a date`);
  return d;
}

/** Orders items so that every issuer comes before what it signs. The loader rejected cycles. */
function issuerOrder(decls: Record<string, CertificateDecl>): string[] {
  const order: string[] = [];
  const seen = new Set<string>();
  const visit = (n: string) => {
    if (seen.has(n)) return;
    seen.add(n);
    const issuer = decls[n]?.issuer;
    if (issuer && issuer !== n) visit(issuer);
    order.push(n);
  };
  Object.keys(decls).forEach(visit);
  return order;
}

/** Declared PKI lives in `<workDir>/pki/`, so that files a scenario's own openssl steps write (ca.crt...) never clash with it. */
export const PKI_SUBDIR = 'pki';

export async function buildPki(decls: Record<string, CertificateDecl>, options: BuildOptions): Promise<Record<string, PkiItem>> {
  const now = options.now ?? new Date();
  if (Object.keys(decls).length) await mkdir(join(options.workDir, PKI_SUBDIR), { recursive: true, mode: 0o700 });
  // Start every key generation at once: RSA-4096 takes most of a second, and they are independent.
  const keys = new Map<string, Promise<PrivateKeyMaterial>>();
  for (const [name, d] of Object.entries(decls)) {
    const p = d.keyFile
      ? readFile(resolve(options.scenarioDir, d.keyFile)).then((data) => loadPrivateKey(data, d.password, d.keyFile))
      : d.certFile
        ? Promise.resolve(undefined as unknown as PrivateKeyMaterial)
        : generateKey((d.key ?? 'rsa-2048') as KeyType);
    p.catch(() => {}); // rejections are reported when the item is built
    keys.set(name, p);
  }

  const items: Record<string, PkiItem> = {};
  for (const name of issuerOrder(decls)) {
    const d = decls[name]!;
    try {
      items[name] = await buildItem(name, d, await keys.get(name)!, items, options, now);
    } catch (e) {
      if (e instanceof PkiError) throw e;
      throw new PkiError(name, (e as Error).message);
    }
  }
  return items;
}

async function buildItem(name: string, d: CertificateDecl, key: PrivateKeyMaterial | undefined, built: Record<string, PkiItem>, o: BuildOptions, now: Date): Promise<PkiItem> {
  const base = join(o.workDir, PKI_SUBDIR, name);
  const props: Record<string, string> = {};
  let certificate: x509.X509Certificate;
  const issuerItem = d.issuer && d.issuer !== name ? built[d.issuer] : undefined;

  if (d.certFile) {
    const text = await readFile(resolve(o.scenarioDir, d.certFile), 'utf8');
    const blocks = x509.PemConverter.decode(text);
    if (!blocks.length) throw new PkiError(name, `${d.certFile} holds no PEM certificate`);
    certificate = new x509.X509Certificate(blocks[0]!);
    if (!key) throw new PkiError(name, `certFile needs a keyFile beside it`);
  } else {
    if (!key) throw new PkiError(name, 'no key');
    if (d.subject === undefined) throw new PkiError(name, 'a generated certificate needs a subject');
    const subject = parseSubject(d.subject);
    const usage: Usage = d.usage ?? (issuerItem ? 'server' : 'ca');
    const defaults = usageDefaults(usage, familyOf(key.type));
    const notBefore = d.notBefore ? resolveWhen(d.notBefore, now) : new Date(now.getTime() - 60_000); // a minute of slack for clock skew
    const notAfter = d.notAfter ? resolveWhen(d.notAfter, now) : new Date(notBefore.getTime() + (d.days ?? 365) * 86_400_000);
    if (notAfter <= notBefore && !d.notAfter) throw new PkiError(name, 'validity ends before it starts');
    certificate = await issueCertificate({
      subject,
      key,
      ...(issuerItem ? { issuer: { subject: issuerItem.certificate.subjectName, key: issuerItem.key, certificate: issuerItem.certificate } } : {}),
      serialHex: d.serial !== undefined ? serialToHex(d.serial) : randomSerial(),
      notBefore,
      notAfter,
      hash: d.hash ?? 'sha256',
      ...(defaults.basicConstraints ? { basicConstraints: { ...defaults.basicConstraints, ...(d.pathlen !== undefined ? { pathLength: d.pathlen } : {}) } } : {}),
      ...((d.keyUsage ?? defaults.keyUsage) ? { keyUsage: d.keyUsage ?? defaults.keyUsage } : {}),
      ...((d.extendedKeyUsage ?? defaults.extendedKeyUsage) ? { extendedKeyUsage: d.extendedKeyUsage ?? defaults.extendedKeyUsage } : {}),
      ...(d.san ? { san: d.san.map(String) } : {}),
      subjectKeyIdentifier: d.subjectKeyIdentifier ?? true,
      authorityKeyIdentifier: d.authorityKeyIdentifier ?? Boolean(issuerItem),
      ...(d.crl ? { crlUrls: d.crl } : {}),
      ...(d.ocsp ? { ocspUrls: d.ocsp } : {}),
      ...(d.caIssuers ? { caIssuersUrls: d.caIssuers } : {}),
    });
    if (d.csr) {
      const csr = await x509.Pkcs10CertificateRequestGenerator.create({
        name: certificate.subjectName,
        signingAlgorithm: signParams(key.type, d.hash ?? 'sha256'),
        keys: { privateKey: await signingKey(key, d.hash ?? 'sha256'), publicKey: await publicKey(key, d.hash ?? 'sha256') },
        ...(d.san ? { extensions: certificate.extensions.filter((e) => e.type === '2.5.29.17') } : {}),
      });
      props.csrFile = `${base}.csr`;
      await writeFileAtomic(props.csrFile, csr.toString('pem') + '\n');
    }
  }

  const issuers = issuerItem ? [issuerItem.certificate, ...issuerItem.issuers] : [];
  const pem = certificate.toString('pem') + '\n';
  const keyPem = exportPrivateKey(key, d.keyFormat ?? 'pkcs8', d.keyPassword, d.keyCipher ?? 'des-ede3-cbc');
  const chainPem = issuers.map((c) => c.toString('pem') + '\n').join('');
  const selfSigned = (c: x509.X509Certificate) => c.subject === c.issuer;
  const fullchainPem = [certificate, ...issuers.filter((c) => !selfSigned(c))].map((c) => c.toString('pem') + '\n').join('');

  Object.assign(props, {
    certFile: `${base}.crt`,
    keyFile: `${base}.key`,
    chainFile: `${base}.chain.pem`,
    fullchainFile: `${base}.fullchain.pem`,
    pem,
    keyPem,
    chainPem,
    serial: certificate.serialNumber,
    fingerprint: Buffer.from(await certificate.getThumbprint('SHA-256')).toString('hex').toUpperCase().match(/../g)!.join(':'),
    subject: certificate.subject,
    issuer: certificate.issuer,
    commonName: certificate.subjectName.getField('CN').at(-1) ?? '',
    notBefore: certificate.notBefore.toISOString(),
    notAfter: certificate.notAfter.toISOString(),
    keyType: key.type,
    ...(d.keyPassword !== undefined ? { keyPassword: d.keyPassword } : d.password !== undefined ? { keyPassword: d.password } : {}),
  });
  await writeFileAtomic(props.certFile!, pem);
  await writePrivate(props.keyFile!, keyPem);
  await writeFileAtomic(props.chainFile!, chainPem);
  await writeFileAtomic(props.fullchainFile!, fullchainPem);
  if (d.der) {
    props.derFile = `${base}.der`;
    await writeFileAtomic(props.derFile, new Uint8Array(certificate.rawData));
  }
  return { name, key, certificate, issuers, props };
}
