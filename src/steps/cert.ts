// `cert`: read certificate files, assert their fields, and lint them.
//
//   - name: the server certificate is fit for a modern client
//     cert: { file: "{{server.certFile}}", key: "{{server.keyFile}}", host: localhost, role: server }
//     expect: { errors: 0, san: { contains: "dns:localhost" }, daysLeft: { gt: 30 } }
//   - name: the document's certificates share serial 01
//     cert: { files: [server.crt, client.crt] }
//     expect: { lint: { contains: duplicate-serial } }
import { s, type Infer } from '../scenario/schema.ts';
import { readWorkFile, workFile } from '../scenario/work-path.ts';
import { matcher, errorFields } from '../expect/vocabulary.ts';
import { parseCertificates, facts } from '../pki/inspect.ts';
import { lint, formatFinding, LINT_IDS } from '../pki/lint.ts';
import { loadPrivateKey } from '../pki/keys.ts';
import { defineStep } from './types.ts';
import { revocationExpect, revocationOf, revocationSetting, reachOf } from './revocation-expect.ts';
import { scenarioNow } from './clock.ts';
import { when } from '../pki/declare.ts';
import { resolveWhen } from '../pki/when.ts';

export type CertSpec = Infer<typeof certSchema>;

const certSchema = s.object({
  file: workFile('read', 'certificate file, relative to the work directory (or absolute: your own, read-only); a PEM chain is read in order'),
  files: s.array(workFile('read', 'a certificate file'), { description: 'several files linted together (duplicate serials across them); the first is the one asserted on' }),
  key: workFile('read', 'private key file: checks that it belongs to the certificate'),
  password: s.string({ description: 'password of an encrypted key' }),
  host: s.string({ description: 'the name clients dial: the certificate must cover it' }),
  ca: workFile('read', 'trusted root certificate(s) file: the chain must reach one (chain-incomplete otherwise)'),
  role: s.enum(['server', 'client', 'ca'], 'what the certificate is used as, for the extendedKeyUsage checks'),
  expiringWithinDays: s.number({ minimum: 0, description: 'warn when fewer days remain (default 30)' }),
  revocation: revocationSetting,
  public: s.boolean('the certificate is for public trust: lint applies SC-081\'s validity cap on the day it was issued and serverAuth alone from 2027-03-15 (pki lint --public)'),
  at: s.describe(when, 'lint at this time instead of now (pki lint --at)'),
});

export const certStep = defineStep({
  kind: 'cert',
  summary: 'read certificate files (PEM or DER, a chain in order), check their fields and lint them',
  schema: certSchema,
  expect: {
    subject: matcher('string'),
    issuer: matcher('string'),
    commonName: matcher('string'),
    serial: matcher('string', 'hex, upper case, as openssl x509 -serial prints it'),
    version: matcher('number'),
    notBefore: matcher('string'),
    notAfter: matcher('string'),
    daysLeft: matcher('number'),
    san: matcher('any', 'list of "dns:name", "ip:addr", "email:x", "uri:x"'),
    isCa: matcher('boolean'),
    keyUsage: matcher('any'),
    extendedKeyUsage: matcher('any', 'list: serverAuth, clientAuth...'),
    keyType: matcher('string', 'rsa, ec, ed25519'),
    keyBits: matcher('number'),
    signatureHash: matcher('string', 'sha1, sha256...'),
    selfSigned: matcher('boolean'),
    fingerprint: matcher('string'),
    chainLength: matcher('number', 'certificates in the first file'),
    lint: matcher('any', `ids of the findings: ${LINT_IDS.join(', ')}`),
    errors: matcher('number', 'number of error findings'),
    warnings: matcher('number', 'number of warning findings'),
    findings: matcher('any', 'one line per finding'),
    mustStaple: matcher('boolean', 'carries the TLS Feature status_request (OCSP Must-Staple, RFC 7633)'),
    revocation: revocationExpect,
    error: errorFields(),
  },
  defaultExpect: () => ({ errors: 0 }),
  async execute(spec, ctx) {
    const names = spec.files ?? (spec.file !== undefined ? [spec.file] : []);
    if (!names.length) return { error: { code: 'bad-input', message: 'cert needs file or files' } };
    const files = [];
    for (const [i, name] of names.entries()) {
      let certificates;
      try {
        certificates = parseCertificates(await readWorkFile(ctx.workDir, name, 'cert file'));
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        return { error: { code: err.code ?? 'unreadable', message: `${name}: ${err.code === 'ENOENT' ? 'no such file' : err.message}` } };
      }
      if (!certificates.length) return { error: { code: 'unreadable', message: `${name}: no certificate in the file` } };
      let key;
      if (i === 0 && spec.key) {
        try {
          key = loadPrivateKey(await readWorkFile(ctx.workDir, spec.key, 'cert key'), spec.password, spec.key).object;
        } catch (e) {
          return { error: { code: (e as { code?: string }).code ?? 'unreadable', message: (e as Error).message } };
        }
      }
      files.push({ label: name.split('/').pop()!, certificates, ...(key ? { key } : {}), ...(i === 0 && spec.role ? { role: spec.role } : {}) });
    }
    let roots;
    if (spec.ca) {
      try {
        roots = parseCertificates(await readWorkFile(ctx.workDir, spec.ca, 'cert ca'));
      } catch (e) {
        return { error: { code: (e as NodeJS.ErrnoException).code ?? 'unreadable', message: `${spec.ca}: ${(e as Error).message}` } };
      }
    }
    const leaf = files[0]!.certificates[0]!;
    const reach = reachOf(spec.revocation);
    let revocation: Record<string, unknown> = {};
    if (reach) {
      // Its issuer is in the file's chain, in the other files, or among the roots.
      const r = await revocationOf(leaf, [...files.flatMap((f) => f.certificates).slice(1), ...(roots ?? [])], { reach, now: scenarioNow(ctx), signal: ctx.signal });
      revocation = 'error' in r ? r : { revocation: r };
    }
    const findings = lint({ files, ...(roots ? { roots } : {}), ...(spec.host ? { host: spec.host } : {}), ...(spec.expiringWithinDays !== undefined ? { expiringWithinDays: spec.expiringWithinDays } : {}), ...(spec.at ? { now: resolveWhen(spec.at, scenarioNow(ctx)) } : {}), publicTrust: spec.public ?? false });
    return {
      ...facts(leaf),
      chainLength: files[0]!.certificates.length,
      lint: findings.map((f) => f.id),
      errors: findings.filter((f) => f.severity === 'error').length,
      warnings: findings.filter((f) => f.severity === 'warning').length,
      findings: findings.map(formatFinding),
      ...revocation,
    };
  },
});
