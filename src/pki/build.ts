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
import { resolveWhen } from './when.ts';
import type { CertificateDecl, Pkcs12Decl, CrlDecl, TrustDecl } from './declare.ts';
import { crlPem, issueCrl } from './crl.ts';
import { writePkcs12 } from './pkcs12/write.ts';
import { PKCS12_PROFILES } from './pkcs12/profiles.ts';
import { certificatesIn } from './inspect.ts';
import { findRefs, interpolate, type Scope } from '../scenario/interpolate.ts';
import { dependencyOrder } from '../util/graph.ts';

export interface CertificateItem {
  kind: 'certificate';
  name: string;
  /** Absent for a certificate loaded without its key: a trust anchor only. */
  key?: PrivateKeyMaterial;
  certificate: x509.X509Certificate;
  /** Issuer certificates from the direct issuer up to the root. */
  issuers: x509.X509Certificate[];
  /** What `{{name.prop}}` resolves to. */
  props: Record<string, string>;
}

export interface OtherItem {
  kind: 'pkcs12' | 'crl' | 'trust';
  name: string;
  props: Record<string, string>;
}

export type PkiItem = CertificateItem | OtherItem;

/** The PKI items of a scenario's world, by name. */
export type PkiItems = Record<string, PkiItem>;

/** A declared item: `kind` is 'default' (a certificate), 'pkcs12' or 'crl'. */
export interface PkiDecl {
  kind: string;
  spec: Record<string, unknown>;
}

export class PkiError extends Error {
  readonly item: string;
  constructor(item: string, message: string) {
    super(`pki.${item}: ${message}`);
    this.item = item;
    this.name = 'PkiError';
  }
}

/**
 * An item that cannot be made from what was given: its issuer (or the certificate a bundle or
 * CRL is made from) was loaded without its private key.
 */
export class PkiUnavailableError extends PkiError {}

export interface BuildOptions {
  workDir: string;
  scenarioDir: string;
  /** "Now" for validity periods (scenarios with a clock set it). */
  now?: Date;
  /**
   * Called for each item that cannot be made for want of a key, and for the items that need it;
   * the build goes on without them. Without it, such an item is an error like any other.
   */
  onUnavailable?: (item: string, reason: string) => void;
  /** Values of the {{refs}} in the declarations other than PKI items: vars, env, workDir, services' addresses. */
  scope?: Scope;
}

/** The other items a declaration's {{refs}} name: they are built first, and their properties go in. */
function itemsReferred(name: string, d: PkiDecl, names: Set<string>): string[] {
  return [...new Set(findRefs(JSON.stringify(d.spec)).map((r) => r.root))].filter((root) => names.has(root) && root !== name);
}


/** The items an item needs built first. */
function dependencies(name: string, d: PkiDecl): string[] {
  const s = d.spec;
  if (d.kind === 'pkcs12') return [String(s.pkcs12), ...(typeof s.keyOf === 'string' ? [s.keyOf] : [])];
  if (d.kind === 'trust') return (s.trust as string[]).filter((n) => n !== name);
  if (d.kind === 'crl') {
    const revoked = (s.revoked as CrlDecl['revoked']) ?? [];
    return [String(s.crl), ...revoked.map((r) => (typeof r === 'string' ? r : r.item)).filter((x): x is string => Boolean(x))];
  }
  return typeof s.issuer === 'string' && s.issuer !== name ? [s.issuer] : [];
}

/** Orders items so that every item comes after those it needs. The loader rejected cycles. */
function buildOrder(decls: Record<string, PkiDecl>): string[] {
  const names = new Set(Object.keys(decls));
  const { order, cycle } = dependencyOrder(Object.fromEntries(Object.entries(decls).map(([n, d]) => [n, [...dependencies(n, d), ...itemsReferred(n, d, names)]])));
  // The loader refuses cycles; one that reaches here is reported, never half-built.
  if (cycle) throw new PkiError(cycle[0]!, `depends on itself through ${cycle.join(' -> ')}`);
  return order;
}

/** Declared PKI lives in `<workDir>/pki/`, so that files a scenario's own openssl steps write (ca.crt...) never clash with it. */
export const PKI_SUBDIR = 'pki';

export async function buildPki(declared: Record<string, PkiDecl>, options: BuildOptions): Promise<Record<string, PkiItem>> {
  const now = options.now ?? new Date();
  const scope: Scope = options.scope ?? (() => undefined);
  const names = new Set(Object.keys(declared));
  if (names.size) await mkdir(join(options.workDir, PKI_SUBDIR), { recursive: true, mode: 0o700 });
  // Items whose {{refs}} name other items are filled in once those are built; the rest now, so
  // that key files and types are final before the keys are made.
  const waiting = new Set([...names].filter((name) => itemsReferred(name, declared[name]!, names).length));
  const decls: Record<string, PkiDecl> = {};
  for (const [name, d] of Object.entries(declared)) {
    try {
      decls[name] = waiting.has(name) ? d : { ...d, spec: interpolate(d.spec, scope) };
    } catch (e) {
      throw new PkiError(name, (e as Error).message);
    }
  }
  // Start every key generation at once: RSA-4096 takes most of a second, and they are independent.
  const keys = new Map<string, Promise<PrivateKeyMaterial>>();
  const startKey = (d: CertificateDecl) => {
    const p = d.keyFile
      ? readFile(resolve(options.scenarioDir, d.keyFile)).then((data) => loadPrivateKey(data, d.password, d.keyFile))
      : d.certFile
        ? Promise.resolve(undefined as unknown as PrivateKeyMaterial)
        : generateKey((d.key ?? 'rsa-2048') as KeyType);
    p.catch(() => {}); // rejections are reported when the item is built
    return p;
  };
  for (const [name, decl] of Object.entries(decls)) if (decl.kind === 'default' && !waiting.has(name)) keys.set(name, startKey(decl.spec as CertificateDecl));

  const items: Record<string, PkiItem> = {};
  const unavailable = new Map<string, string>();
  for (const name of buildOrder(decls)) {
    let d = decls[name]!;
    const missing = dependencies(name, d).find((dep) => unavailable.has(dep));
    if (missing && options.onUnavailable) {
      const reason = `needs ${missing}, which cannot be made: ${unavailable.get(missing)}`;
      unavailable.set(name, reason);
      options.onUnavailable(name, reason);
      continue;
    }
    try {
      if (waiting.has(name)) {
        // The items its {{refs}} name are built by now: their properties go in, then its key is made.
        d = { ...d, spec: interpolate(d.spec, (root, prop) => (names.has(root) ? (items[root]?.props as Record<string, string> | undefined)?.[prop!] : scope(root, prop))) };
        if (d.kind === 'default') keys.set(name, startKey(d.spec as CertificateDecl));
      }
      if (d.kind === 'pkcs12') items[name] = await buildPkcs12(name, d.spec as unknown as Pkcs12Decl, items, options);
      else if (d.kind === 'crl') items[name] = await buildCrl(name, d.spec as unknown as CrlDecl, items, options, now);
      else if (d.kind === 'trust') items[name] = await buildTrust(name, d.spec as unknown as TrustDecl, items, options);
      else items[name] = await buildCertificate(name, d.spec as CertificateDecl, await keys.get(name)!, items, options, now);
    } catch (e) {
      if (e instanceof PkiUnavailableError && options.onUnavailable) {
        const reason = e.message.replace(`pki.${name}: `, '');
        unavailable.set(name, reason);
        options.onUnavailable(name, reason);
        continue;
      }
      if (e instanceof PkiError) throw e;
      throw new PkiError(name, (e as Error).message);
    }
  }
  return items;
}

function certificateItem(built: Record<string, PkiItem>, name: string, role: string): CertificateItem {
  const item = built[name];
  if (!item || item.kind !== 'certificate') throw new Error(`${role} '${name}' must be a certificate item`);
  return item;
}


async function buildCertificate(name: string, d: CertificateDecl, key: PrivateKeyMaterial | undefined, built: Record<string, PkiItem>, o: BuildOptions, now: Date): Promise<CertificateItem> {
  const base = join(o.workDir, PKI_SUBDIR, name);
  const props: Record<string, string> = {};
  let certificate: x509.X509Certificate;
  let loadedPem: string | undefined;
  const issuerItem = d.issuer && d.issuer !== name ? certificateItem(built, d.issuer, 'issuer') : undefined;

  if (d.certFile) {
    const loaded = certificatesIn(await readFile(resolve(o.scenarioDir, d.certFile), 'utf8'));
    if (!loaded.length) throw new PkiError(name, `${d.certFile} holds no PEM certificate`);
    certificate = loaded[0]!;
    // A loaded file keeps every certificate it holds: a trust bundle, or a leaf with its chain.
    loadedPem = loaded.map((c) => c.toString('pem') + '\n').join('');
  } else {
    if (!key) throw new PkiError(name, 'no key');
    if (issuerItem && !issuerItem.key) throw new PkiUnavailableError(name, `its issuer ${issuerItem.name} was loaded without its private key`);
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
      ...(issuerItem ? { issuer: { subject: issuerItem.certificate.subjectName, key: issuerItem.key!, certificate: issuerItem.certificate } } : {}),
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
      ...(d.crlDistributionPoints ? { crlUrls: d.crlDistributionPoints } : {}),
      ...(d.ocsp ? { ocspUrls: d.ocsp } : {}),
      ...(d.mustStaple ? { mustStaple: true } : {}),
      ...(d.nameConstraints ? { nameConstraints: d.nameConstraints } : {}),
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
  const pem = loadedPem ?? certificate.toString('pem') + '\n';
  const keyPem = key ? exportPrivateKey(key, d.keyFormat ?? 'pkcs8', d.keyPassword, d.keyCipher ?? 'des-ede3-cbc') : undefined;
  const chainPem = issuers.map((c) => c.toString('pem') + '\n').join('');
  const selfSigned = (c: x509.X509Certificate) => c.subject === c.issuer;
  const fullchainPem = [certificate, ...issuers.filter((c) => !selfSigned(c))].map((c) => c.toString('pem') + '\n').join('');

  Object.assign(props, {
    certFile: `${base}.crt`,
    // A certificate loaded without its key has no key properties: {{name.keyFile}} is then a
    // run-time error naming it, not an empty file.
    ...(keyPem ? { keyFile: `${base}.key`, keyPem } : {}),
    chainFile: `${base}.chain.pem`,
    fullchainFile: `${base}.fullchain.pem`,
    pem,
    chainPem,
    serial: certificate.serialNumber,
    fingerprint: Buffer.from(await certificate.getThumbprint('SHA-256')).toString('hex').toUpperCase().match(/../g)!.join(':'),
    subject: certificate.subject,
    issuer: certificate.issuer,
    commonName: certificate.subjectName.getField('CN').at(-1) ?? '',
    notBefore: certificate.notBefore.toISOString(),
    notAfter: certificate.notAfter.toISOString(),
    ...(key ? { keyType: key.type } : {}),
    ...(d.keyPassword !== undefined ? { keyPassword: d.keyPassword } : d.password !== undefined ? { keyPassword: d.password } : {}),
  });
  await writeFileAtomic(props.certFile!, pem);
  if (keyPem) await writePrivate(props.keyFile!, keyPem);
  await writeFileAtomic(props.chainFile!, chainPem);
  await writeFileAtomic(props.fullchainFile!, fullchainPem);
  if (d.der) {
    props.derFile = `${base}.der`;
    await writeFileAtomic(props.derFile, new Uint8Array(certificate.rawData));
  }
  return { kind: 'certificate', name, key, certificate, issuers, props };
}

async function buildPkcs12(name: string, d: Pkcs12Decl, built: Record<string, PkiItem>, o: BuildOptions): Promise<OtherItem> {
  const source = certificateItem(built, d.pkcs12, 'pkcs12');
  const profile = PKCS12_PROFILES[d.profile ?? 'modern'];
  const protection = {
    keyPbe: d.keyPbe ?? profile.keyPbe,
    certPbe: d.certPbe ?? profile.certPbe,
    mac: d.mac ?? profile.mac,
    iterations: d.iterations ?? profile.iterations,
    macIterations: d.iterations ?? profile.macIterations,
  };
  const certificates = [source.certificate, ...(d.chain === false ? [] : source.issuers)].map((c) => new Uint8Array(c.rawData));
  const keyItem = d.keyOf ? certificateItem(built, d.keyOf, 'keyOf') : source;
  if (!d.withoutKey && !keyItem.key) throw new PkiUnavailableError(name, `${keyItem.name} was loaded without its private key`);
  const data = writePkcs12({ ...(d.withoutKey ? {} : { keyPkcs8: keyItem.key!.pkcs8 }), certificates, password: d.password, protection, ...(d.name !== undefined ? { friendlyName: d.name } : {}), ...(d.localKeyId === false ? { localKeyId: false } : {}) });
  const p12File = join(o.workDir, PKI_SUBDIR, `${name}.p12`);
  await writePrivate(p12File, data);
  return {
    kind: 'pkcs12',
    name,
    props: { p12File, password: d.password, friendlyName: d.name ?? '', profile: d.profile ?? 'modern', certFile: source.props.certFile!, ...(source.props.keyFile ? { keyFile: source.props.keyFile } : {}) },
  };
}

async function buildTrust(name: string, d: TrustDecl, built: Record<string, PkiItem>, o: BuildOptions): Promise<OtherItem> {
  const pem = d.trust.map((n) => String(certificateItem(built, n, 'trust').props.pem)).join('');
  const certFile = join(o.workDir, PKI_SUBDIR, `${name}.pem`);
  await writeFileAtomic(certFile, pem);
  return { kind: 'trust', name, props: { certFile, pem } };
}

const REASONS: Record<string, x509.X509CrlReason> = Object.fromEntries(Object.entries(x509.X509CrlReason).filter(([, v]) => typeof v === 'number')) as Record<string, x509.X509CrlReason>;

async function buildCrl(name: string, d: CrlDecl, built: Record<string, PkiItem>, o: BuildOptions, now: Date): Promise<OtherItem> {
  const issuer = certificateItem(built, d.crl, 'crl');
  if (!issuer.key) throw new PkiUnavailableError(name, `its issuer ${issuer.name} was loaded without its private key`);
  const revoked = (d.revoked ?? []).map((r) => {
    const entry = typeof r === 'string' ? { item: r } : r;
    const serialHex = entry.item ? certificateItem(built, entry.item, 'revoked').certificate.serialNumber : serialToHex(entry.serial ?? '');
    return { serialHex, date: entry.date ? resolveWhen(entry.date, now) : now, ...(entry.reason ? { reason: REASONS[entry.reason]! } : {}) };
  });
  const crl = await issueCrl({
    issuer: { certificate: issuer.certificate, key: issuer.key },
    revoked,
    thisUpdate: d.thisUpdate ? resolveWhen(d.thisUpdate, now) : now,
    nextUpdate: resolveWhen(d.nextUpdate ?? '+7d', now),
    hash: d.hash ?? 'sha256',
    number: d.number ?? 1,
  });
  const base = join(o.workDir, PKI_SUBDIR, name);
  const pem = crlPem(crl);
  await writeFileAtomic(`${base}.crl`, pem);
  await writeFileAtomic(`${base}.crl.der`, new Uint8Array(crl.rawData));
  return { kind: 'crl', name, props: { crlFile: `${base}.crl`, pem, derFile: `${base}.crl.der` } };
}
