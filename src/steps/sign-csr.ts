// `sign-csr`: the CA side of a CSR exchange, as
//   openssl x509 -req -in client.csr -CA rootCA.pem -CAkey rootCA.key -CAcreateserial -out client.crt -days 500 -sha256
// does it: the CSR's signature is checked, its subject kept, its extensions copied only when
// asked (openssl 3's -copy_extensions), and with createSerial the serial comes from (and goes
// back to) <ca>.srl next to the CA certificate.
//
//   - sign-csr: { csr: client.csr, caCert: rootCA.pem, caKey: rootCA.key, createSerial: true, days: 500, out: client.crt }
//   - sign-csr: { csr: client.csr, ca: root, days: 500, out: client.crt, usage: client }
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, basename, extname, join } from 'node:path';
import { s, type Infer } from '../scenario/schema.ts';
import { resolveWorkPath, workFile } from '../scenario/work-path.ts';
import { matcher, errorFields } from '../expect/vocabulary.ts';
import { x509 } from '../pki/crypto.ts';
import { loadPrivateKey, type PrivateKeyMaterial } from '../pki/keys.ts';
import { issueCertificate, randomSerial, serialToHex, usageDefaults, USAGES } from '../pki/certificate.ts';
import { HASHES, familyOf } from '../pki/key-spec.ts';
import { parseCertificates } from '../pki/inspect.ts';
import { writeFileAtomic } from '../util/atomic-write.ts';
import { defineStep, type StepContext } from './types.ts';

export type SignCsrSpec = Infer<typeof signCsrSchema>;

async function caMaterial(spec: SignCsrSpec, ctx: StepContext): Promise<{ cert: x509.X509Certificate; key: PrivateKeyMaterial; certPath: string }> {
  if (spec.ca) {
    const item = ctx.world.pki[spec.ca];
    if (item?.kind !== 'certificate') throw Object.assign(new Error(`no certificate item named ${spec.ca}`), { code: 'bad-input' });
    if (!item.key) throw Object.assign(new Error(`${spec.ca} was loaded without its private key: it cannot sign`), { code: 'bad-input' });
    return { cert: item.certificate, key: item.key, certPath: item.props.certFile! };
  }
  if (!spec.caCert || !spec.caKey) throw Object.assign(new Error('sign-csr needs ca (a PKI item) or caCert and caKey (files)'), { code: 'bad-input' });
  const certPath = resolveWorkPath(ctx.workDir, spec.caCert, 'read', 'sign-csr caCert');
  const [cert] = parseCertificates(await readFile(certPath));
  const key = loadPrivateKey(await readFile(resolveWorkPath(ctx.workDir, spec.caKey, 'read', 'sign-csr caKey')), spec.caPassword, spec.caKey);
  return { cert: cert!, key, certPath };
}

/** openssl names the serial file after the CA certificate: rootCA.pem -> rootCA.srl. */
function serialFileOf(caCertPath: string): string {
  return join(dirname(caCertPath), `${basename(caCertPath, extname(caCertPath))}.srl`);
}

async function nextSerial(srl: string): Promise<string> {
  try {
    const current = (await readFile(srl, 'utf8')).trim();
    return (BigInt(`0x${current}`) + 1n).toString(16).toUpperCase();
  } catch {
    return randomSerial().toUpperCase();
  }
}

const signCsrSchema = s.object(
  {
    csr: workFile('read', 'the CSR file (relative to the work directory)'),
    ca: s.string({ ref: 'pki', description: 'a PKI item to sign with' }),
    caCert: workFile('read', 'or: the CA certificate file'),
    caKey: workFile('read', 'and its key file'),
    caPassword: s.string({ description: 'password of caKey (-passin)' }),
    out: workFile('write', 'where the certificate is written, inside the work directory'),
    days: s.number({ minimum: 0, maximum: 36_500, description: 'validity (openssl default 30; at most 36500)' }),
    hash: s.enum(HASHES, 'signature hash (default sha256)'),
    serial: s.anyOf([s.string(), s.integer({ minimum: 0 })], 'explicit serial (-set_serial)'),
    createSerial: s.boolean('take the serial from <ca>.srl (created with a random serial if absent) and write it back (-CAcreateserial)'),
    copyExtensions: s.boolean("copy the CSR's extensions, e.g. its SAN (openssl 3 -copy_extensions copy); default false, like openssl"),
    usage: s.enum(USAGES, 'add the extensions of a usage (like -extfile); default: none, so the result is what openssl writes'),
  },
  { required: ['csr', 'out'] },
);

export const signCsrStep = defineStep({
  kind: 'sign-csr',
  summary: 'sign a CSR with a CA, as openssl x509 -req -CA -CAkey [-CAcreateserial] does',
  schema: signCsrSchema,
  expect: {
    serial: matcher('string'),
    subject: matcher('string'),
    serialFile: matcher('string'),
    csrVerified: matcher('boolean'),
    copiedExtensions: matcher('any'),
    error: errorFields(),
  },
  async execute(spec, ctx) {
    try {
      const csr = new x509.Pkcs10CertificateRequest(await readFile(resolveWorkPath(ctx.workDir, spec.csr, 'read', 'sign-csr csr'), 'utf8'));
      const csrVerified = await csr.verify();
      if (!csrVerified) return { csrVerified, error: { code: 'bad-signature', message: `${spec.csr}: the CSR's self-signature does not verify` } };
      const ca = await caMaterial(spec, ctx);
      const srl = serialFileOf(ca.certPath);
      const serialHex = spec.serial !== undefined ? serialToHex(spec.serial) : spec.createSerial ? serialToHex(`0x${await nextSerial(srl)}`) : randomSerial();
      const now = new Date();
      const copied = spec.copyExtensions ? csr.extensions : [];
      const defaults = spec.usage ? usageDefaults(spec.usage, familyOf(ca.key.type)) : {};
      const cert = await issueCertificate({
        subject: csr.subjectName,
        publicKey: csr.publicKey,
        issuer: { subject: ca.cert.subjectName, key: ca.key, certificate: ca.cert },
        serialHex,
        notBefore: now,
        notAfter: new Date(now.getTime() + (spec.days ?? 30) * 86_400_000),
        hash: spec.hash ?? 'sha256',
        ...defaults,
        subjectKeyIdentifier: Boolean(spec.usage),
        authorityKeyIdentifier: Boolean(spec.usage),
        extraExtensions: copied,
      });
      await writeFileAtomic(resolveWorkPath(ctx.workDir, spec.out, 'write', 'sign-csr out'), cert.toString('pem') + '\n');
      if (spec.createSerial && spec.serial === undefined) await writeFile(resolveWorkPath(ctx.workDir, srl, 'write', 'sign-csr serial file (beside caCert)'), `${cert.serialNumber.toUpperCase()}\n`);
      return {
        serial: cert.serialNumber.toUpperCase(),
        subject: cert.subject,
        serialFile: spec.createSerial ? srl : '',
        csrVerified,
        copiedExtensions: copied.map((e) => e.type),
      };
    } catch (e) {
      return { error: { code: (e as { code?: string }).code ?? 'unreadable', message: (e as Error).message } };
    }
  },
});
