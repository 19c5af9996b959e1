// `certharness p12 check|convert`: what a PKCS#12 bundle holds, whether each platform will
// import it, and the conversion that makes it load everywhere.
import { readFileSync, existsSync } from 'node:fs';
import { parseOptions } from '../options.ts';
import { EXIT, UsageError } from '../exit-codes.ts';
import type { CliIo } from '../io.ts';
import { readPkcs12, Pkcs12Error } from '../../pki/pkcs12/read.ts';
import { writePkcs12 } from '../../pki/pkcs12/write.ts';
import { PKCS12_PROFILES, PKCS12_PROFILE_NAMES, type Pkcs12ProfileName } from '../../pki/pkcs12/profiles.ts';
import { verdicts, fixCommand, PLATFORMS, type Platform } from '../../pki/pkcs12/platforms.ts';
import { pbeText } from '../../steps/pkcs12.ts';
import { writeFileAtomic } from '../../util/atomic-write.ts';
import { dispatch } from '../subcommands.ts';

export const P12_HELP = `Usage: certharness p12 <check|convert> ...

  p12 check FILE --password P [--for macos,ios,java,windows,android,openssl1,openssl3,curl-securetransport]
      Shows how the bundle is protected (MAC, key and certificate encryption, iterations),
      its friendly name, local key id and certificates, whether the key matches the leaf, and
      for each platform whether it will import and, if not, what it says and the fix.
      Exit 1 when a platform asked for would refuse it, or the password does not open it.

  p12 convert IN OUT --profile modern|legacy|compat --password P [--new-password Q]
      Rewrites a bundle: compat (3DES, SHA-1 MAC) loads everywhere; legacy is
      openssl -legacy's; modern is OpenSSL 3's default.

Examples:
  certharness p12 check client.p12 --password pass --for macos,openssl3
  certharness p12 convert client.p12 client-compat.p12 --profile compat --password pass
`;

export function p12Command(argv: string[], io: CliIo): Promise<number> {
  return dispatch('p12', argv, io, P12_HELP, { check, convert });
}

function readBundleBytes(file: string): Buffer {
  if (!existsSync(file)) throw new UsageError(`${file}: no such file`);
  return readFileSync(file);
}

function readBundle(file: string, password: string | undefined) {
  try {
    return readPkcs12(readBundleBytes(file), password, file);
  } catch (e) {
    if (e instanceof Pkcs12Error) throw new UsageError(e.message);
    throw e;
  }
}

function check(argv: string[], io: CliIo): number {
  const { values, positionals } = parseOptions(argv, { password: { type: 'string' }, for: { type: 'string' } }, 'p12 check');
  if (positionals.length !== 1) throw new UsageError('p12 check takes one file: certharness p12 check client.p12 --password pass');
  const file = positionals[0]!;
  const platforms = (values.for?.split(',').map((p) => p.trim()).filter(Boolean) ?? [...PLATFORMS]) as Platform[];
  for (const p of platforms) if (!PLATFORMS.includes(p)) throw new UsageError(`--for ${p}: unknown platform; use ${PLATFORMS.join(', ')}`);
  let info;
  try {
    info = readPkcs12(readBundleBytes(file), values.password, file);
  } catch (e) {
    // A password that does not open the bundle is a finding about it, as a refusal by a platform is.
    if (e instanceof Pkcs12Error && e.code === 'bad-password') {
      io.stdout(`${e.message}\n`);
      return EXIT.failed;
    }
    if (e instanceof Pkcs12Error) throw new UsageError(e.message);
    throw e;
  }
  const certPart = info.contents.find((c) => c.bags.includes('certBag'));
  const out: string[] = [
    `${file}:`,
    `  MAC:               ${info.mac ? `${info.mac.algorithm}, ${info.mac.iterations} iterations` : 'none'}`,
    `  certificates:      ${pbeText(certPart?.encryption)}${certPart?.encryption ? `, ${certPart.encryption.iterations} iterations` : ''}`,
    `  key:               ${info.key ? `${pbeText(info.key.encryption)}${info.key.encryption ? `, ${info.key.encryption.iterations} iterations` : ''} (${info.key.type}${info.key.bits ? ` ${info.key.bits}` : ''})` : 'none'}`,
    `  friendly name:     ${info.key?.friendlyName ?? info.certificates[0]?.friendlyName ?? '(none)'}`,
    `  local key id:      ${info.key?.localKeyId ?? '(none)'}`,
    `  key matches leaf:  ${info.key ? (info.keyMatchesLeaf ? `yes (certificate ${info.leafIndex + 1}${info.leafIndex === 0 ? ', first' : ', NOT first'})` : 'NO') : 'no key'}`,
    ...info.certificates.map((c, i) => `  certificate ${i + 1}:     ${c.subject} (issuer ${c.issuer}${c.isCa ? ', CA' : ''})`),
    '',
  ];
  const results = verdicts({ info, password: values.password }, platforms);
  for (const r of results) {
    const tag = r.ok ? 'ok  ' : 'FAIL';
    out.push(`  ${tag} ${r.platform.padEnd(21)}${r.ok ? (r.note ? ` (${r.note})` : '') : `${r.error}: ${r.reason}`}${r.predicted ? ' [predicted]' : ''}`.trimEnd());
  }
  const failed = results.filter((r) => !r.ok);
  if (failed.length) out.push('', `  fix: ${fixCommand(file, values.password)}`);
  io.stdout(out.join('\n') + '\n');
  return failed.length ? EXIT.failed : EXIT.ok;
}

async function convert(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseOptions(argv, { profile: { type: 'string' }, password: { type: 'string' }, 'new-password': { type: 'string' } }, 'p12 convert');
  if (positionals.length !== 2) throw new UsageError('p12 convert takes IN and OUT: certharness p12 convert client.p12 client-compat.p12 --profile compat --password pass');
  const profile = values.profile as Pkcs12ProfileName | undefined;
  if (!profile || !PKCS12_PROFILE_NAMES.includes(profile)) throw new UsageError(`--profile ${values.profile ?? '(missing)'}: use one of ${PKCS12_PROFILE_NAMES.join(', ')}`);
  const [input, output] = positionals as [string, string];
  const info = readBundle(input, values.password);
  if (!info.key) throw new UsageError(`${input}: holds no private key`);
  const leafFirst = info.leafIndex >= 0 ? [info.certificates[info.leafIndex]!, ...info.certificates.filter((_, i) => i !== info.leafIndex)] : info.certificates;
  const data = writePkcs12({
    keyPkcs8: info.key.pkcs8,
    certificates: leafFirst.map((c) => c.der),
    password: values['new-password'] ?? values.password ?? '',
    protection: PKCS12_PROFILES[profile],
    ...(info.key.friendlyName ?? leafFirst[0]?.friendlyName ? { friendlyName: (info.key.friendlyName ?? leafFirst[0]?.friendlyName)! } : {}),
  });
  try {
    await writeFileAtomic(output, data, 0o600);
  } catch (e) {
    throw new UsageError(`${output}: cannot write (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  io.stdout(`${output}: ${profile} (${info.certificates.length} certificate(s), key ${info.keyMatchesLeaf ? 'matching the leaf, leaf first' : 'NOT matching any certificate'})\n`);
  return EXIT.ok;
}
