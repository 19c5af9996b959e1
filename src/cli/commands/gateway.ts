// `certharness gateway check`: document 003's Express Gateway tls: section, checked before it is
// deployed. One line per finding, `file:line:col: error|warning|ok: message`; exit 1 on any error.
import { readFileSync } from 'node:fs';
import { parseOptions } from '../options.ts';
import { resolve } from 'node:path';
import { EXIT, UsageError } from '../exit-codes.ts';
import type { CliIo } from '../io.ts';
import { checkGatewayTls } from '../../clients/gateway/tls-check.ts';
import { dispatch } from '../subcommands.ts';

export const GATEWAY_HELP = `Usage: certharness gateway check <gateway.config.yml> [--cwd DIR] [--host NAME] [--quiet]

Checks Express Gateway's https.tls section as version 1.16 reads it: a map keyed by host glob
or "default" (the list form of older docs fails its schema), each entry's key, cert and ca
files (relative to the gateway's working directory, --cwd, default the current one), key and
certificate matching, validity (a warning under 30 days), the chain in ca reaching a root, a
"default" entry; with --host, which entry that name's SNI selects and whether its certificate
covers the name. One line per finding; exit 1 when anything is an error.

Examples:
  certharness gateway check gateway.config.yml --cwd /var/lib --host aiotes.example.org
  # document 003's section against what the certificate manager wrote into ./le/live/aiotes/
  # (certharness certmanager --help shows how to get it from a local CA):
  certharness gateway check fixtures/003/gateway.config.yml --cwd ./le --host app.example.com
`;

export function gatewayCommand(argv: string[], io: CliIo): Promise<number> {
  return dispatch('gateway', argv, io, GATEWAY_HELP, { check: gatewayCheck });
}

function gatewayCheck(argv: string[], io: CliIo): number {
  const { values, positionals } = parseOptions(argv, { cwd: { type: 'string' }, host: { type: 'string' }, quiet: { type: 'boolean', default: false } }, 'gateway check');
  if (positionals.length !== 1) throw new UsageError('gateway check takes one file: certharness gateway check gateway.config.yml');
  const file = positionals[0]!;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  const findings = checkGatewayTls(text, { cwd: resolve(values.cwd ?? '.'), ...(values.host ? { host: values.host } : {}) });
  // A file that is not YAML is bad input, not a finding about certificates.
  const syntax = findings.find((f) => f.message.startsWith('not YAML'));
  if (syntax) {
    io.stderr(`certharness: ${file}:${syntax.line}:${syntax.col}: ${syntax.message}\n`);
    return EXIT.badInput;
  }
  for (const f of findings) {
    if (values.quiet && f.severity === 'ok') continue;
    io.stdout(`${file}${f.line ? `:${f.line}:${f.col}` : ''}: ${f.severity}: ${f.message}\n`);
  }
  return findings.some((f) => f.severity === 'error') ? EXIT.failed : EXIT.ok;
}
