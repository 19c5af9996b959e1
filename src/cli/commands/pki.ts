// `certharness pki lint|init`: the PKI engine on files, without a scenario.
import { readFileSync, existsSync, mkdirSync, copyFileSync, chmodSync, rmSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, basename } from 'node:path';
import { parseOptions } from '../options.ts';
import { EXIT, UsageError } from '../exit-codes.ts';
import type { CliIo } from '../io.ts';
import { parseCertificates } from '../../pki/inspect.ts';
import { lint, formatFinding } from '../../pki/lint.ts';
import { loadPrivateKey } from '../../pki/keys.ts';
import { buildPki } from '../../pki/build.ts';
import { DOCUMENT_PROFILES } from '../../pki/document-profiles.ts';
import { writeFileAtomic } from '../../util/atomic-write.ts';
import { dispatch } from '../subcommands.ts';

export const PKI_HELP = `Usage: certharness pki <lint|init> ...

  pki lint <cert.pem>... [--key FILE] [--password P] [--host NAME] [--role server|client|ca]
                         [--ca ROOTS.pem] [--days N] [--at DATE] [--public]
      Lints certificates (PEM chains or DER): weak RSA keys, SHA-1, missing SAN, duplicate
      issuer+serial across files, validity, key/certificate mismatch, chain order, missing
      intermediates (with --ca), CA flags and extendedKeyUsage for the role, and a client
      certificate under a CA limited to other purposes. One line per finding; exit 1 when
      any is an error.
      --at DATE   judge validity at that time (2027-04-01 or an ISO time) instead of now
      --public    the certificates are for public trust: the validity cap of CA/Browser
                  Forum SC-081 on the day each was issued (398 days; 200 from 2026-03-15,
                  100 from 2027-03-15, 47 from 2029-03-15), and serverAuth alone from
                  2027-03-15 (Chrome Root Program Policy 1.8)

  pki init <dir> --profile doc-001|doc-002|doc-003 [--force]
      Writes the PKI of a document's workflow with the file names the document uses, and a
      README.md listing each file and the curl/openssl lines that use it.

Examples:
  certharness pki lint server.crt client.crt --host localhost
  certharness pki lint fullchain.pem --key privkey.pem --ca root.pem --role server
  certharness pki lint fullchain.pem --public --at 2027-04-01
  certharness pki init ./certs --profile doc-001
`;

export function pkiCommand(argv: string[], io: CliIo): Promise<number> {
  return dispatch('pki', argv, io, PKI_HELP, { lint: pkiLint, init: pkiInit });
}

function read(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new UsageError(`${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
}

function pkiLint(argv: string[], io: CliIo): number {
  const { values, positionals } = parseOptions(argv, { key: { type: 'string' }, password: { type: 'string' }, host: { type: 'string' }, role: { type: 'string' }, ca: { type: 'string' }, days: { type: 'string' }, at: { type: 'string' }, public: { type: 'boolean', default: false } }, 'pki lint');
  if (values.help) return io.stdout(PKI_HELP), EXIT.ok;
  if (!positionals.length) throw new UsageError('pki lint needs at least one certificate file');
  if (values.role && !['server', 'client', 'ca'].includes(values.role)) throw new UsageError(`--role ${values.role}: use server, client or ca`);
  const days = values.days === undefined ? undefined : Number(values.days);
  if (days !== undefined && !(days >= 0)) throw new UsageError(`--days ${values.days}: expected a number of days`);
  const at = values.at === undefined ? undefined : new Date(/^\d{4}-\d{2}-\d{2}$/.test(values.at) ? `${values.at}T00:00:00Z` : values.at);
  if (at && Number.isNaN(at.getTime())) throw new UsageError(`--at ${values.at}: expected a date (2027-04-01) or an ISO time (2027-04-01T09:00:00Z)`);
  const files = positionals.map((path, i) => {
    let certificates;
    try {
      certificates = parseCertificates(read(path));
    } catch (e) {
      if (e instanceof UsageError) throw e;
      throw new UsageError(`${path}: ${(e as Error).message}`);
    }
    if (!certificates.length) throw new UsageError(`${path}: no certificate in the file`);
    let key;
    if (i === 0 && values.key) {
      try {
        key = loadPrivateKey(read(values.key), values.password, values.key).object;
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
    }
    return { label: basename(path), certificates, ...(key ? { key } : {}), ...(i === 0 && values.role ? { role: values.role as 'server' } : {}) };
  });
  const roots = values.ca ? parseCertificates(read(values.ca)) : undefined;
  const findings = lint({ files, ...(roots ? { roots } : {}), ...(values.host ? { host: values.host } : {}), ...(days !== undefined ? { expiringWithinDays: days } : {}), ...(at ? { now: at } : {}), publicTrust: values.public });
  for (const f of findings) io.stdout(`${formatFinding(f)}\n`);
  const errors = findings.filter((f) => f.severity === 'error').length;
  io.stdout(findings.length ? `${errors} error(s), ${findings.length - errors} warning(s)\n` : `no findings in ${files.length} file(s)\n`);
  return errors ? EXIT.failed : EXIT.ok;
}

async function pkiInit(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseOptions(argv, { profile: { type: 'string' }, force: { type: 'boolean', default: false } }, 'pki init');
  if (values.help) return io.stdout(PKI_HELP), EXIT.ok;
  if (positionals.length !== 1) throw new UsageError('pki init takes one directory: certharness pki init ./certs --profile doc-001');
  const profile = values.profile ? DOCUMENT_PROFILES[values.profile] : undefined;
  if (!profile) throw new UsageError(`--profile ${values.profile ?? '(missing)'}: use one of ${Object.keys(DOCUMENT_PROFILES).join(', ')}`);
  const dir = positionals[0]!;
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new UsageError(`${dir}: exists and is not a directory`);
  const clashes = Object.keys(profile.files).filter((f) => existsSync(join(dir, f)));
  if (clashes.length && !values.force) throw new UsageError(`${dir}: ${clashes.join(', ')} already exist; use --force to replace them`);
  // Build in a private temporary directory, then copy, so a failure leaves nothing half-written in DIR.
  const work = mkdtempSync(join(tmpdir(), 'certharness-init-'));
  try {
    const items = await buildPki(profile.decls, { workDir: work, scenarioDir: work });
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    for (const [name, [item, prop]] of Object.entries(profile.files)) {
      const target = join(dir, name);
      mkdirSync(dirname(target), { recursive: true, mode: 0o700 });
      copyFileSync(items[item]!.props[prop]!, target);
      chmodSync(target, /key|\.p12$/.test(name) ? 0o600 : 0o644);
    }
    await writeFileAtomic(join(dir, 'README.md'), `# ${profile.title}\n\nMade by \`certharness pki init --profile ${values.profile}\`.\n\n${profile.usage.join('\n')}\n`);
    for (const name of Object.keys(profile.files)) io.stdout(`${join(dir, name)}\n`);
    io.stdout(`${join(dir, 'README.md')}\n`);
    return EXIT.ok;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
