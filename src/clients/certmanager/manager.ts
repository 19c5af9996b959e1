// Document 003's certificate manager. `run` is what the container does when it starts: use the
// user's certificates if they are good, else get one from the ACME CA over HTTP-01, else make a
// self-signed one. `renew` is the weekly job: on Mondays, renew when fewer than 30 days remain,
// keep the current certificate if the CA fails, and leave the user's certificates alone.
// Time comes from `now`, so a test can be on a Monday with 29 days left in a millisecond.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AcmeClient, AcmeError } from '../acme/client.ts';
import { issueCertificate as acmeIssue } from '../acme/issue.ts';
import { http01Standalone } from '../acme/responders.ts';
import { generateKey, exportPrivateKey, loadPrivateKey } from '../../pki/keys.ts';
import { issueCertificate, randomSerial } from '../../pki/certificate.ts';
import { installLive, liveDir, readLive, writeSmallFile, type LiveLayout, type PemSet } from './live-files.ts';
import { checkPair, daysLeft, isRenewalDay, renewalDue, DAY_MS, type WEEKDAYS } from './policy.ts';
import { checkRevocation, type RevocationReach } from '../revocation.ts';
import { issuerAmong } from '../../pki/revocation-check.ts';
import { parseCertificates } from '../../pki/inspect.ts';
import { renewalPolicy, type PolicyName } from './renewal-policy.ts';
import { certIdOfPem } from '../acme/cert-id.ts';

export type Source = 'provided' | 'acme' | 'self-signed';

export interface ManagerSettings extends LiveLayout {
  /** AIOTES_HOSTNAME */
  hostname: string;
  /** AIOTES_SYSADMIN_EMAIL */
  email?: string;
  directoryUrl: string;
  /** PEM the ACME server's HTTPS certificate chains to (a private CA in tests). */
  trustPem?: string;
  httpPort: number;
  httpAddress: string;
  renewBeforeDays: number;
  renewWeekday: (typeof WEEKDAYS)[number];
  selfSignedDays: number;
  /** Replace user-provided certificates with ACME ones when renewal is due. */
  replaceProvided: boolean;
  /** Ask the CRL and OCSP URLs in our certificate whether it was revoked, and replace it at once if so. */
  checkRevocation?: RevocationReach;
  /** When renew acts: document 003's Monday rule (the default), certbot's share of the lifetime, or the CA's ARI window. */
  policy?: PolicyName;
  /** The ACME profile its orders ask for (certbot's --preferred-profile); absent, the CA's default. */
  profile?: string;
}

export const DEFAULT_SETTINGS: Omit<ManagerSettings, 'hostname'> = {
  configDir: '/etc/letsencrypt',
  name: 'aiotes',
  directoryUrl: 'https://acme-v02.api.letsencrypt.org/directory',
  httpPort: 80,
  httpAddress: '0.0.0.0',
  renewBeforeDays: 30,
  renewWeekday: 'monday',
  selfSignedDays: 90,
  replaceProvided: false,
};

/** What a step, a service or the command knows, with the document's defaults for the rest. */
export interface ManagerInput {
  hostname: string;
  email?: string | undefined;
  directoryUrl?: string | undefined;
  trustPem?: string | undefined;
  httpPort?: number | string | undefined;
  httpAddress?: string | undefined;
  configDir?: string | undefined;
  name?: string | undefined;
  renewBeforeDays?: number | undefined;
  renewWeekday?: ManagerSettings['renewWeekday'] | undefined;
  selfSignedDays?: number | undefined;
  replaceProvided?: boolean | undefined;
  checkRevocation?: RevocationReach | undefined;
  policy?: PolicyName | undefined;
  profile?: string | undefined;
}

export function managerSettings(i: ManagerInput): ManagerSettings {
  const d = DEFAULT_SETTINGS;
  return {
    hostname: i.hostname,
    ...(i.email ? { email: i.email } : {}),
    directoryUrl: i.directoryUrl ?? d.directoryUrl,
    ...(i.trustPem ? { trustPem: i.trustPem } : {}),
    httpPort: Number(i.httpPort ?? d.httpPort),
    httpAddress: i.httpAddress ?? d.httpAddress,
    configDir: i.configDir ?? d.configDir,
    name: i.name ?? d.name,
    renewBeforeDays: i.renewBeforeDays ?? d.renewBeforeDays,
    renewWeekday: i.renewWeekday ?? d.renewWeekday,
    selfSignedDays: i.selfSignedDays ?? d.selfSignedDays,
    replaceProvided: i.replaceProvided ?? d.replaceProvided,
    ...(i.checkRevocation ? { checkRevocation: i.checkRevocation } : {}),
    ...(i.policy ? { policy: i.policy } : {}),
    ...(i.profile ? { profile: i.profile } : {}),
  };
}

export interface ManagerState {
  source: Source;
  hostname: string;
  notAfter: string;
  serial: string;
  fingerprint: string;
  version?: string;
  lastAttempt?: { at: string; action: string; outcome: string; error?: string };
}

export interface ManagerResult {
  action: 'run' | 'renew';
  /** kept: nothing changed; provided/acme/self-signed: that source was installed or confirmed. */
  outcome: 'provided' | 'issued' | 'renewed' | 'self-signed' | 'kept' | 'not-due' | 'not-today';
  source?: Source;
  changed: boolean;
  /** Why the user's files were not used, why ACME failed: one sentence each. */
  reasons: string[];
  warnings: string[];
  acmeError?: { code: string; message: string };
  notAfter?: string;
  daysLeft?: number;
  serial?: string;
  liveDir: string;
}

const stateFile = (s: LiveLayout) => join(s.configDir, 'certharness', `${s.name}.json`);
const accountKeyFile = (s: ManagerSettings) => join(s.configDir, 'certharness', 'accounts', `${createHash('sha256').update(s.directoryUrl).digest('hex').slice(0, 16)}.pem`);

export async function readState(s: LiveLayout): Promise<ManagerState | undefined> {
  try {
    return JSON.parse(await readFile(stateFile(s), 'utf8')) as ManagerState;
  } catch {
    return undefined;
  }
}

async function saveState(s: LiveLayout, state: ManagerState): Promise<void> {
  await writeSmallFile(stateFile(s), JSON.stringify(state, null, 2) + '\n', 0o644);
}

/** The source of what is in live/ now: ours only if it is the very certificate we wrote. */
async function current(s: ManagerSettings, now: Date) {
  const files = await readLive(s);
  const state = await readState(s);
  const check = files.cert ? checkPair(files, s.hostname, now) : undefined;
  const ours = state && check?.fingerprint && state.fingerprint === check.fingerprint && files.managed;
  const source: Source | undefined = !files.cert ? undefined : ours ? state.source : 'provided';
  return { files, state, check, source };
}

/** Whether the policy renews now; ARI's answer also names the certificate the new one replaces. */
async function policyDue(s: ManagerSettings, policy: PolicyName, certPem: string, now: Date): Promise<{ due: boolean; replaces?: string }> {
  const [leaf] = parseCertificates(certPem);
  if (!leaf) return { due: true };
  if (policy === 'doc-003') return { due: renewalDue(leaf.notAfter, now, s.renewBeforeDays) };
  if (policy === 'certbot') return { due: renewalPolicy('certbot', Math.random).due(leaf, now) };
  // ARI: renew once the CA's suggested window has begun, naming the certificate replaced.
  const certId = certIdOfPem(certPem);
  const client = new AcmeClient({ directoryUrl: s.directoryUrl, accountKey: await accountKeyOf(s), ...(s.trustPem ? { ca: s.trustPem } : {}) });
  try {
    const info = certId ? await client.renewalInfo(certId) : undefined;
    if (!info) return { due: renewalDue(leaf.notAfter, now, s.renewBeforeDays) };
    return { due: Date.parse(info.suggestedWindow.start) <= now.getTime(), ...(certId ? { replaces: certId } : {}) };
  } finally {
    await client.close();
  }
}

/** The manager's account key at this CA: the one it kept, or a new one it keeps from now on. */
async function accountKeyOf(s: ManagerSettings) {
  const keyFile = accountKeyFile(s);
  try {
    return loadPrivateKey(await readFile(keyFile, 'utf8'), undefined, keyFile);
  } catch {
    const accountKey = await generateKey('ec-p256');
    await writeSmallFile(keyFile, exportPrivateKey(accountKey), 0o600);
    return accountKey;
  }
}

async function acmeCertificate(s: ManagerSettings, log: (line: string) => void, replaces?: string): Promise<{ set?: PemSet; error?: { code: string; message: string } }> {
  const accountKey = await accountKeyOf(s);
  const client = new AcmeClient({ directoryUrl: s.directoryUrl, accountKey, ...(s.trustPem ? { ca: s.trustPem } : {}), log, pollTimeoutMs: 60_000 });
  let responder;
  try {
    responder = await http01Standalone(s.httpAddress, s.httpPort);
  } catch (e) {
    await client.close();
    const code = (e as NodeJS.ErrnoException).code ?? 'listen-failed';
    const why = code === 'EADDRINUSE' ? 'is in use: stop what listens there, or reverse-proxy /.well-known/acme-challenge/ to another port and set the HTTP-01 port' : code === 'EACCES' ? 'needs privileges (ports below 1024)' : (e as Error).message;
    return { error: { code: code === 'EADDRINUSE' ? 'port-busy' : code, message: `HTTP-01 port ${s.httpAddress}:${s.httpPort} ${why}` } };
  }
  try {
    await client.newAccount({ termsOfServiceAgreed: true, ...(s.email ? { contact: [`mailto:${s.email}`] } : {}) });
    // certbot's own default since 2.0 (2.1.0 is what Debian ships): an ECDSA P-256 key.
    const key = await generateKey('ec-p256');
    const r = await acmeIssue(client, { names: [s.hostname], responder, certificateKey: key, ...(replaces ? { replaces } : {}), ...(s.profile ? { profile: s.profile } : {}) });
    return { set: { privkey: exportPrivateKey(key), cert: r.certPem, chain: r.chainOnlyPem, fullchain: r.certPem + r.chainOnlyPem } };
  } catch (e) {
    const problem = e instanceof AcmeError ? e.problem : (e as { problem?: { type?: string } }).problem;
    const code = problem?.type ? String(problem.type).replace('urn:ietf:params:acme:error:', '') : ((e as NodeJS.ErrnoException).code ?? 'acme-failed');
    return { error: { code, message: (e as Error).message } };
  } finally {
    await responder.close();
    await client.close();
  }
}

async function selfSigned(s: ManagerSettings, now: Date): Promise<PemSet> {
  const key = await generateKey('rsa-2048');
  const cert = await issueCertificate({
    subject: [['CN', s.hostname]],
    key,
    serialHex: randomSerial(),
    notBefore: new Date(now.getTime() - 60_000),
    notAfter: new Date(now.getTime() + s.selfSignedDays * DAY_MS),
    hash: 'sha256',
    basicConstraints: { ca: false },
    keyUsage: ['digitalSignature', 'keyEncipherment'],
    extendedKeyUsage: ['serverAuth'],
    san: [s.hostname],
    subjectKeyIdentifier: true,
    authorityKeyIdentifier: false,
  });
  const pem = cert.toString('pem') + '\n';
  // Express Gateway's `ca: [chain.pem]` needs a file: for a self-signed certificate it is itself.
  return { privkey: exportPrivateKey(key), cert: pem, chain: pem, fullchain: pem };
}

async function install(s: ManagerSettings, set: PemSet, source: Source, now: Date, action: string, outcome: string): Promise<ManagerState> {
  const check = checkPair(set, s.hostname, now);
  const { version } = await installLive(s, set);
  const state: ManagerState = { source, hostname: s.hostname, notAfter: check.notAfter!.toISOString(), serial: check.serial!, fingerprint: check.fingerprint!, version, lastAttempt: { at: now.toISOString(), action, outcome } };
  await saveState(s, state);
  return state;
}

function summary(state: ManagerState | undefined, now: Date) {
  if (!state) return {};
  return { source: state.source, notAfter: state.notAfter, serial: state.serial, daysLeft: Math.floor(daysLeft(new Date(state.notAfter), now)) };
}

const SELF_SIGNED_WARNING = 'using a SELF-SIGNED certificate: communications are encrypted, but clients that verify certificates will reject the connection. Check why the CA failed, or install certificates yourself (live/<name>/privkey.pem, cert.pem, chain.pem)';

/** At start: the user's certificates, else ACME, else self-signed (document 003's order). */
export async function runManager(s: ManagerSettings, now: Date, log: (line: string) => void = () => {}): Promise<ManagerResult> {
  const base = { action: 'run' as const, liveDir: liveDir(s), warnings: [] as string[], reasons: [] as string[] };
  const cur = await current(s, now);
  if (cur.source === 'provided') {
    if (cur.check!.ok) {
      // The user's files stay where they are; record them so renewal leaves them alone.
      const state: ManagerState = { source: 'provided', hostname: s.hostname, notAfter: cur.check!.notAfter!.toISOString(), serial: cur.check!.serial!, fingerprint: cur.check!.fingerprint!, lastAttempt: { at: now.toISOString(), action: 'run', outcome: 'provided' } };
      // fullchain.pem is ours to derive: when the user's cert and chain changed, so does it.
      if (cur.files.fullchain !== cur.files.cert! + cur.files.chain!) await installLive(s, { privkey: cur.files.privkey!, cert: cur.files.cert!, chain: cur.files.chain!, fullchain: cur.files.cert! + cur.files.chain! }).then((v) => (state.version = v.version));
      await saveState(s, state);
      return { ...base, outcome: 'provided', changed: false, ...summary(state, now) };
    }
    base.reasons.push(...cur.check!.reasons.map((r) => `provided certificate not used: ${r}`));
    log(base.reasons.join('\n'));
  } else if (cur.source === 'acme' && cur.check?.ok && !renewalDue(cur.check.notAfter!, now, s.renewBeforeDays)) {
    const revoked = await revokedNote(s, cur.files, now);
    if (!revoked) return { ...base, outcome: 'kept', changed: false, ...summary(cur.state, now) };
    base.reasons.push(revoked);
    log(revoked);
  }
  const acme = await acmeCertificate(s, log);
  if (acme.set) {
    const state = await install(s, acme.set, 'acme', now, 'run', 'issued');
    return { ...base, outcome: 'issued', changed: true, ...summary(state, now) };
  }
  base.reasons.push(`ACME failed: ${acme.error!.message}`);
  log(`ACME failed (${acme.error!.code}): ${acme.error!.message}`);
  if (cur.source === 'acme' && cur.check?.ok) {
    return { ...base, outcome: 'kept', changed: false, acmeError: acme.error!, ...summary(cur.state, now) };
  }
  const state = await install(s, await selfSigned(s, now), 'self-signed', now, 'run', 'self-signed');
  base.warnings.push(SELF_SIGNED_WARNING);
  log(`WARNING: ${SELF_SIGNED_WARNING}`);
  return { ...base, outcome: 'self-signed', changed: true, acmeError: acme.error!, ...summary(state, now) };
}

/** The weekly job: only on the renewal weekday (unless forced); renews when due; keeps the old certificate if the CA fails. */
export async function renewManager(s: ManagerSettings, now: Date, log: (line: string) => void = () => {}, o: { force?: boolean } = {}): Promise<ManagerResult> {
  const base = { action: 'renew' as const, liveDir: liveDir(s), warnings: [] as string[], reasons: [] as string[] };
  const cur = await current(s, now);
  if (!cur.source) return runManager(s, now, log).then((r) => ({ ...r, action: 'renew' as const }));
  // A revoked certificate is replaced at once, whatever the day: the document asks for a valid one.
  const revoked = cur.source === 'acme' ? await revokedNote(s, cur.files, now) : undefined;
  if (revoked) {
    base.reasons.push(revoked);
    log(revoked);
  }
  const policy = s.policy ?? 'doc-003';
  if (!revoked && !o.force && policy === 'doc-003' && !isRenewalDay(now, s.renewWeekday)) return { ...base, outcome: 'not-today', changed: false, ...summary(cur.state ?? stateOf(cur, s), now) };
  if (cur.source === 'provided' && !s.replaceProvided) {
    if (cur.check?.notAfter && renewalDue(cur.check.notAfter, now, s.renewBeforeDays)) base.warnings.push(`the provided certificate expires on ${cur.check.notAfter.toISOString()}: replace it, or allow ACME to (replaceProvided)`);
    return { ...base, outcome: 'kept', changed: false, ...summary(stateOf(cur, s), now) };
  }
  // A self-signed certificate is a fallback: every run tries the CA again.
  const byPolicy = cur.check?.ok ? await policyDue(s, policy, cur.files.cert!, now) : { due: true };
  const due = revoked !== undefined || cur.source === 'self-signed' || !cur.check?.ok || byPolicy.due;
  if (!due && !o.force) return { ...base, outcome: 'not-due', changed: false, ...summary(cur.state, now) };
  const acme = await acmeCertificate(s, log, byPolicy.replaces);
  if (acme.set) {
    const state = await install(s, acme.set, 'acme', now, 'renew', 'renewed');
    return { ...base, outcome: 'renewed', changed: true, ...summary(state, now) };
  }
  base.reasons.push(`ACME failed: ${acme.error!.message}`);
  log(`renewal failed, keeping the current certificate (${acme.error!.code}): ${acme.error!.message}`);
  if (cur.state) await saveState(s, { ...cur.state, lastAttempt: { at: now.toISOString(), action: 'renew', outcome: 'kept', error: acme.error!.message } });
  return { ...base, outcome: 'kept', changed: false, acmeError: acme.error!, ...summary(cur.state ?? stateOf(cur, s), now) };
}

/** Why the certificate in live/ must go, when its CRL or its OCSP responder says it was revoked. */
async function revokedNote(s: ManagerSettings, files: Awaited<ReturnType<typeof readLive>>, now: Date): Promise<string | undefined> {
  if (!s.checkRevocation || !files.cert) return undefined;
  const [leaf] = parseCertificates(files.cert);
  const issuer = leaf && issuerAmong(leaf, parseCertificates(files.chain ?? ''));
  if (!leaf || !issuer) return undefined;
  const r = await checkRevocation({ certificate: leaf, issuer, reach: s.checkRevocation, now });
  return r.revoked ? `the certificate in live/ was revoked (${r.notes.split('\n').filter((l) => /revoked/.test(l)).join('; ')}): replacing it now` : undefined;
}

function stateOf(cur: Awaited<ReturnType<typeof current>>, s: ManagerSettings): ManagerState | undefined {
  if (!cur.check?.notAfter) return undefined;
  return { source: cur.source ?? 'provided', hostname: s.hostname, notAfter: cur.check.notAfter.toISOString(), serial: cur.check.serial!, fingerprint: cur.check.fingerprint! };
}

export async function managerStatus(s: ManagerSettings, now: Date): Promise<{ source?: Source; ok: boolean; reasons: string[]; notAfter?: string; daysLeft?: number; renewalDue?: boolean; nextRenewalCheck: string; lastAttempt?: ManagerState['lastAttempt']; liveDir: string }> {
  const cur = await current(s, now);
  const next = new Date(now);
  next.setUTCHours(0, 0, 0, 0);
  while (!isRenewalDay(next, s.renewWeekday) || next <= now) next.setUTCDate(next.getUTCDate() + 1);
  return {
    ...(cur.source ? { source: cur.source } : {}),
    ok: cur.check?.ok ?? false,
    reasons: cur.check?.reasons ?? ['no certificate in the live directory'],
    ...(cur.check?.notAfter ? { notAfter: cur.check.notAfter.toISOString(), daysLeft: Math.floor(daysLeft(cur.check.notAfter, now)), renewalDue: renewalDue(cur.check.notAfter, now, s.renewBeforeDays) } : {}),
    nextRenewalCheck: next.toISOString(),
    ...(cur.state?.lastAttempt ? { lastAttempt: cur.state.lastAttempt } : {}),
    liveDir: liveDir(s),
  };
}
