// `pkcs12`: open a PKCS#12 bundle and report how it is protected and what it holds.
//
//   - pkcs12: { file: client.p12, password: pass }
//     expect: { mac: sha256, certEncryption: { contains: AES-256 }, keyMatchesLeaf: true }
import { s, type Infer } from '../scenario/schema.ts';
import { readWorkFile, workFile } from '../scenario/work-path.ts';
import { matcher, errorFields } from '../expect/vocabulary.ts';
import { readPkcs12, type PbeInfo, type Pkcs12Info } from '../pki/pkcs12/read.ts';
import { verdicts, PLATFORMS } from '../pki/pkcs12/platforms.ts';
import { defineStep } from './types.ts';

export type Pkcs12StepSpec = Infer<typeof pkcs12Schema>;

/** "PBES2 (PBKDF2, hmacWithSHA256, AES-256-CBC)" or "pbeWithSHA1And40BitRC2-CBC", as openssl -info names them. */
export function pbeText(p: PbeInfo | undefined): string {
  if (!p) return 'none';
  return p.scheme === 'PBES2' ? `PBES2 (${p.kdf}, ${p.prf}, ${p.cipher})` : p.scheme;
}

function judge(info: Pkcs12Info, spec: Pkcs12StepSpec): Record<string, unknown> {
  const v = verdicts({ info, password: spec.password }, spec.for);
  return { refusedBy: v.filter((x) => !x.ok).map((x) => x.platform), verdicts: Object.fromEntries(v.map((x) => [x.platform, x.ok ? 'ok' : `${x.error}: ${x.reason}`])) };
}

const pkcs12Schema = s.object(
  {
    file: workFile('read', 'the .p12/.pfx file, relative to the work directory'),
    password: s.string({ description: 'its password ("" for an empty one)' }),
    for: s.array(s.enum(PLATFORMS), { description: 'platforms to judge it for, as certharness p12 check --for' }),
  },
  { required: ['file'] },
);

export const pkcs12Step = defineStep({
  kind: 'pkcs12',
  summary: 'open a PKCS#12 bundle: MAC, how the key and certificates are encrypted, friendly name, whether the key matches the leaf',
  schema: pkcs12Schema,
  expect: {
    mac: matcher('string', 'sha1, sha256... or none'),
    macIterations: matcher('number'),
    certEncryption: matcher('string', 'e.g. "PBES2 (PBKDF2, hmacWithSHA256, AES-256-CBC)", "pbeWithSHA1And40BitRC2-CBC", "none"'),
    keyEncryption: matcher('string'),
    iterations: matcher('number'),
    friendlyName: matcher('string'),
    localKeyId: matcher('boolean', 'the key carries a localKeyId'),
    keyMatchesLeaf: matcher('boolean'),
    leafFirst: matcher('boolean'),
    certificates: matcher('number', 'how many certificates'),
    subjects: matcher('any', 'subjects of the certificates, in file order'),
    refusedBy: matcher('any', 'the platforms (of `for`) that would refuse it'),
    verdicts: matcher('any', 'platform -> "ok" or the error it shows'),
    error: errorFields(),
  },
  async execute(spec, ctx) {
    let data: Buffer;
    try {
      data = await readWorkFile(ctx.workDir, spec.file, 'pkcs12 file');
    } catch (e) {
      return { error: { code: (e as NodeJS.ErrnoException).code ?? 'unreadable', message: `${spec.file}: ${(e as Error).message}` } };
    }
    try {
      const info = readPkcs12(data, spec.password, spec.file);
      const certPart = info.contents.find((c) => c.bags.includes('certBag'));
      return {
        mac: info.mac?.algorithm ?? 'none',
        macIterations: info.mac?.iterations ?? 0,
        certEncryption: pbeText(certPart?.encryption),
        keyEncryption: pbeText(info.key?.encryption),
        iterations: info.key?.encryption?.iterations ?? certPart?.encryption?.iterations ?? 0,
        friendlyName: info.key?.friendlyName ?? info.certificates[info.leafIndex]?.friendlyName ?? '',
        localKeyId: Boolean(info.key?.localKeyId),
        keyMatchesLeaf: info.keyMatchesLeaf,
        leafFirst: info.leafIndex === 0,
        certificates: info.certificates.length,
        subjects: info.certificates.map((c) => c.subject),
        ...(spec.for ? judge(info, spec) : {}),
      };
    } catch (e) {
      return { error: { code: (e as { code?: string }).code ?? 'unreadable', message: (e as Error).message } };
    }
  },
});
