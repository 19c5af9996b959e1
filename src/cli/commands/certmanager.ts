// `certharness certmanager run|renew|status`: document 003's certificate manager outside a
// scenario, configured as the document's container is (AIOTES_HOSTNAME, AIOTES_SYSADMIN_EMAIL)
// or with flags, which win.
import { parseOptions } from '../options.ts';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { EXIT, UsageError } from '../exit-codes.ts';
import type { CliIo } from '../io.ts';
import { DEFAULT_SETTINGS, managerSettings, managerStatus, renewManager, runManager, type ManagerSettings } from '../../clients/certmanager/manager.ts';
import { WEEKDAYS } from '../../clients/certmanager/policy.ts';
import { POLICY_NAMES, type PolicyName } from '../../clients/certmanager/renewal-policy.ts';

export const CERTMANAGER_HELP = `Usage: certharness certmanager <run | renew | status> [options]

Document 003's certificate manager. run: use the certificates in <config-dir>/live/<name>/ if
they are good (they parse, the key matches, valid now, for the host name), else get one from
the ACME CA over HTTP-01, else make a self-signed one. renew: on Mondays, renew when fewer than
30 days remain; keep the current certificate if the CA fails; leave user-provided ones alone.
status: what is installed and when it will be renewed.

  --hostname NAME      the certificate's name                  (env AIOTES_HOSTNAME)
  --email ADDRESS      account contact                          (env AIOTES_SYSADMIN_EMAIL)
  --server URL         ACME directory (default Let's Encrypt: ${DEFAULT_SETTINGS.directoryUrl})
  --trust FILE         PEM the directory's HTTPS certificate chains to (a private or test CA)
  --http-port N        HTTP-01 port (default 80)
  --http-address A     where the HTTP-01 responder listens (default 0.0.0.0)
  --config-dir DIR     certbot's directory (default /etc/letsencrypt): live/<name>/ is inside
  --name NAME          live/<name> (default aiotes)
  --renew-before D     days (default 30)       --weekday DAY   (default monday)
  --now TIME           act as if it were this RFC 3339 time (tests, dry runs)
  --policy P           renew: doc-003 (Mondays, under --renew-before days; the default),
                       certbot (a third of the lifetime left, half under 10 days, any day) or
                       ari (the CA's renewalInfo window has begun; the order names the
                       certificate it replaces). certharness simulate compares them.
  --profile NAME       the ACME profile its orders ask for (certbot's --preferred-profile),
                       e.g. tlsserver or shortlived; default: the CA's
  --force              renew: whatever the day and the days left
  --replace-provided   renew: replace user-provided certificates with ACME ones when due
  --json               print the result as JSON

Exit: 0 done (or nothing to do), 1 a self-signed fallback or a failed renewal, 2 bad input.

Examples:
  AIOTES_HOSTNAME=aiotes.example.org AIOTES_SYSADMIN_EMAIL=ops@example.org certharness certmanager run
  certharness serve acme --json > ca.json &
  certharness certmanager run --hostname app.example.com --server https://localhost:14000/dir \\
      --trust "$(jq -r .caFile ca.json)" --http-port 5002 --http-address 127.0.0.1 --config-dir ./le
  certharness certmanager status --hostname app.example.com --config-dir ./le --json
`;

export async function certmanagerCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseOptions(argv, {
      hostname: { type: 'string' },
      email: { type: 'string' },
      server: { type: 'string' },
      trust: { type: 'string' },
      'http-port': { type: 'string' },
      'http-address': { type: 'string' },
      'config-dir': { type: 'string' },
      name: { type: 'string' },
      'renew-before': { type: 'string' },
      weekday: { type: 'string' },
      policy: { type: 'string' },
      profile: { type: 'string' },
      now: { type: 'string' },
      force: { type: 'boolean', default: false },
      'replace-provided': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false }
    }, 'certmanager');
  if (values.help || positionals.length === 0) {
    io.stdout(CERTMANAGER_HELP);
    return values.help ? EXIT.ok : EXIT.badInput;
  }
  const action = positionals[0]!;
  if (!['run', 'renew', 'status'].includes(action) || positionals.length > 1) throw new UsageError(`certmanager takes one of run, renew, status (got ${positionals.join(' ')})`);
  const hostname = values.hostname ?? io.env.AIOTES_HOSTNAME;
  if (!hostname) throw new UsageError('no host name: give --hostname or set AIOTES_HOSTNAME');
  const int = (name: string, v: string | undefined, fallback: number) => {
    if (v === undefined) return fallback;
    if (!/^\d+$/.test(v)) throw new UsageError(`--${name} must be a whole number, not '${v}'`);
    return Number(v);
  };
  const weekday = (values.weekday ?? DEFAULT_SETTINGS.renewWeekday).toLowerCase();
  if (!(WEEKDAYS as readonly string[]).includes(weekday)) throw new UsageError(`--weekday must be one of ${WEEKDAYS.join(', ')}`);
  const policy = (values.policy ?? 'doc-003') as PolicyName;
  if (!POLICY_NAMES.includes(policy)) throw new UsageError(`--policy ${values.policy}: use ${POLICY_NAMES.join(', ')}`);
  let trustPem: string | undefined;
  if (values.trust) {
    try {
      trustPem = readFileSync(values.trust, 'utf8');
    } catch (e) {
      throw new UsageError(`--trust ${values.trust}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
    }
  }
  const now = values.now !== undefined ? new Date(values.now) : new Date();
  if (Number.isNaN(now.getTime())) throw new UsageError(`--now '${values.now}' is not an RFC 3339 time`);
  const email = values.email ?? io.env.AIOTES_SYSADMIN_EMAIL;
  const settings = managerSettings({
    hostname,
    email,
    directoryUrl: values.server,
    trustPem,
    httpPort: int('http-port', values['http-port'], DEFAULT_SETTINGS.httpPort),
    httpAddress: values['http-address'],
    configDir: resolve(values['config-dir'] ?? DEFAULT_SETTINGS.configDir),
    name: values.name,
    renewBeforeDays: int('renew-before', values['renew-before'], DEFAULT_SETTINGS.renewBeforeDays),
    renewWeekday: weekday as ManagerSettings['renewWeekday'],
    replaceProvided: values['replace-provided'],
    policy,
    profile: values.profile,
  });
  const log = (line: string) => io.stderr(`${line}\n`);
  if (action === 'status') {
    const st = await managerStatus(settings, now);
    if (values.json) io.stdout(JSON.stringify(st) + '\n');
    else io.stdout(`${st.liveDir}: ${st.source ?? 'nothing installed'}${st.notAfter ? `, expires ${st.notAfter} (${st.daysLeft} days${st.renewalDue ? ', renewal due' : ''})` : ''}\n${st.ok ? '' : st.reasons.map((r) => `  not usable: ${r}\n`).join('')}next renewal check: ${st.nextRenewalCheck}\n`);
    return st.ok ? EXIT.ok : EXIT.failed;
  }
  const r = action === 'renew' ? await renewManager(settings, now, log, { force: values.force }) : await runManager(settings, now, log);
  if (values.json) io.stdout(JSON.stringify(r) + '\n');
  else {
    io.stdout(`${r.outcome}${r.source ? ` (${r.source})` : ''}: ${r.liveDir}${r.notAfter ? `, expires ${r.notAfter} (${r.daysLeft} days)` : ''}\n`);
    for (const w of r.warnings) io.stderr(`WARNING: ${w}\n`);
  }
  return r.outcome === 'self-signed' || r.acmeError ? EXIT.failed : EXIT.ok;
}
