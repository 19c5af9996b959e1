// `curl`: curl with the arguments written, run in the work directory. The result has curl's
// exit code and output, and what its -v output says (TLS version, server certificate, HTTP
// status). `emulate` picks a platform:
//   linux-openssl          the real curl binary here (default)
//   macos-securetransport  curl built with Apple's Secure Transport (removed in 8.15.0), for a
//                          `curlVersion` and a simulated Keychain that carries from step to step;
//                          when it would present a client certificate, the request is really made
//                          with it (only the leaf is sent)
//   macos-libressl         today's /usr/bin/curl on macOS (8.7.1, LibreSSL 3.3.6): PEM as on
//                          Linux; PKCS#12 decoded like LibreSSL's (RC2-40 included: predicted)
//
//   - name: curl -v -s -k --key client.key --cert client.crt on macOS (document 001)
//     curl: { emulate: macos-securetransport, curlVersion: 7.58.0, args: [-v, -s, -k, --key, client.key, --cert, client.crt, "{{upstream.url}}/hello/world"] }
//     expect: { exit: 58, stderr: { contains: "OSStatus -25299" } }
import { readFileSync, statSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { s, type Infer } from '../scenario/schema.ts';
import { matcher, fields } from '../expect/vocabulary.ts';
import { runProcess } from '../clients/process.ts';
import { interpolate } from '../scenario/interpolate.ts';
import { argumentLine, argumentLineProblem, argumentLineSchema, displayArgv } from '../scenario/command.ts';
import { parseCurlVerbose } from '../clients/curl-output.ts';
import { parseCurlArgs } from '../clients/curl-emulation/cert-arg.ts';
import { emulateSecureTransport, type Keychain } from '../clients/curl-emulation/securetransport.ts';
import { readPkcs12 } from '../pki/pkcs12/read.ts';
import { clientMaterial } from '../pki/material.ts';
import { writePrivate } from '../pki/files.ts';
import { processExpect } from './exec.ts';
import { defineStep, type StepContext } from './types.ts';
import { curlPhase } from '../clients/exchange.ts';
import { exchangeExpect } from './exchange-expect.ts';

export const CURL_PROFILES = ['linux-openssl', 'macos-securetransport', 'macos-libressl'] as const;
const KEYCHAIN_STATE = 'macos-keychain';

export type CurlSpec = Extract<Infer<typeof curlSchema>, { args: unknown }>;

function curlSpec(raw: string | string[] | CurlSpec): CurlSpec {
  return typeof raw === 'string' || Array.isArray(raw) ? { args: raw } : raw;
}

/** Document commands start with "curl"; the step runs curl anyway. */
const withoutProgram = (line: string) => line.replace(/^\s*curl\s+/, '');

function initialKeychain(spec: CurlSpec, ctx: StepContext): Keychain {
  if (spec.keychain) {
    return {
      identities: (spec.keychain.identities ?? []).map(({ item }) => {
        const m = clientMaterial(ctx.world.pki, item, 'keychain identity');
        return { cn: String(ctx.world.pki[item]!.props.commonName), hasKey: true, certPem: m.cert, keyPem: m.key };
      }),
      certificates: spec.keychain.certificates ?? [],
    };
  }
  return (ctx.state.get(KEYCHAIN_STATE) as Keychain | undefined) ?? { identities: [], certificates: [] };
}

async function identityArgs(ctx: StepContext, certPem: string, keyPem: string): Promise<string[]> {
  const n = randomBytes(4).toString('hex');
  const cert = join(ctx.workDir, `.curl-identity-${n}.crt`);
  const key = join(ctx.workDir, `.curl-identity-${n}.key`);
  await writePrivate(cert, certPem);
  await writePrivate(key, keyPem);
  return ['--cert', cert, '--key', key];
}

/** Whether the arguments already say where the response headers go (curl keeps only the last -D). */
const dumpsHeaders = (args: string[]) => args.some((a) => a === '--dump-header' || /^-[a-zA-Z]*D/.test(a));

/**
 * Runs the real curl. The response headers are also dumped to a file, so that the HTTP status
 * is known without -v; the reported command is the one written.
 */
async function realCurl(args: string[], spec: CurlSpec, ctx: StepContext) {
  const headerFile = dumpsHeaders(args) ? undefined : join(ctx.workDir, `.curl-headers-${randomBytes(4).toString('hex')}`);
  const r = await runProcess(['curl', ...(headerFile ? ['--dump-header', headerFile] : []), ...args], { cwd: ctx.workDir, env: { ...ctx.env, ...spec.env }, signal: ctx.signal });
  const headers = headerFile ? await readFile(headerFile, 'utf8').catch(() => '') : '';
  if (headerFile) await rm(headerFile, { force: true });
  const statuses = [...headers.matchAll(/^HTTP\/[\d.]+ (\d{3})/gm)];
  return { ...r, command: displayArgv(['curl', ...args]), ...(statuses.length ? { dumpedStatus: Number(statuses.at(-1)![1]) } : {}) };
}

function prefixVerbose(lines: string[], verbose: boolean): string {
  return verbose ? lines.map((l) => `* ${l}\n`).join('') : '';
}

async function secureTransport(args: string[], spec: CurlSpec, ctx: StepContext): Promise<Record<string, unknown>> {
  const o = parseCurlArgs(args);
  const curlVersion = spec.curlVersion ?? '8.7.1';
  const outcome = emulateSecureTransport(o, {
    curlVersion,
    keychain: initialKeychain(spec, ctx),
    readFile: (p) => {
      const full = resolve(ctx.workDir, p);
      try {
        return statSync(full).isFile() ? readFileSync(full) : undefined;
      } catch {
        return undefined;
      }
    },
  });
  const emulated = { profile: 'macos-securetransport', curlVersion };
  switch (outcome.kind) {
    case 'not-applicable':
      return { ...(await realCurl(args, spec, ctx)), ...emulated, note: outcome.reason };
    case 'usage-error':
      return { exit: outcome.exit, signal: null, stdout: '', stderr: outcome.stderr, durationMs: 0, command: displayArgv(['curl', ...args]), ...emulated };
    case 'no-client-certificate':
      return { ...(await realCurl(o.rest, spec, ctx)), ...emulated };
    case 'failed': {
      ctx.state.set(KEYCHAIN_STATE, outcome.keychain);
      const stderr = prefixVerbose([...outcome.lines, ...(outcome.crash ? [] : [outcome.message])], o.verbose) + (outcome.crash ? `${outcome.message}\n` : !o.silent || o.showError ? `curl: (58) ${outcome.message}\n` : '');
      return {
        exit: outcome.exit,
        signal: null,
        stdout: '',
        stderr,
        durationMs: 0,
        command: displayArgv(['curl', ...args]),
        ...(outcome.osStatus !== undefined ? { osStatus: outcome.osStatus } : {}),
        keychain: outcome.keychain.identities.map((i) => i.cn),
        ...emulated,
      };
    }
    case 'identity': {
      ctx.state.set(KEYCHAIN_STATE, outcome.keychain);
      const extra = outcome.identity.certPem ? await identityArgs(ctx, outcome.identity.certPem, outcome.identity.keyPem) : [];
      const r = await realCurl([...o.rest, ...extra], spec, ctx);
      return { ...r, stderr: prefixVerbose(outcome.lines, o.verbose) + r.stderr, clientCertificate: outcome.identity.cn, keychain: outcome.keychain.identities.map((i) => i.cn), ...emulated };
    }
  }
}

/** Today's macOS curl (LibreSSL): PEM as on Linux; a PKCS#12 file is decoded here, as LibreSSL reads RC2-40 that OpenSSL 3 refuses (predicted). */
async function libressl(args: string[], spec: CurlSpec, ctx: StepContext): Promise<Record<string, unknown>> {
  const o = parseCurlArgs(args);
  const emulated = { profile: 'macos-libressl', curlVersion: spec.curlVersion ?? '8.7.1', predicted: true };
  if (!o.cert || o.certType?.toUpperCase() !== 'P12') return { ...(await realCurl(args, spec, ctx)), ...emulated };
  try {
    const info = readPkcs12(readFileSync(resolve(ctx.workDir, o.cert.name)), o.password ?? '', o.cert.name);
    if (!info.key || info.leafIndex < 0) throw new Error('no key and certificate pair');
    return { ...(await realCurl([...o.rest, ...(await identityArgs(ctx, info.certificates[info.leafIndex]!.pem, info.key.pem))], spec, ctx)), ...emulated };
  } catch {
    const message = `could not parse PKCS12 file, check password`;
    return { exit: 58, signal: null, stdout: '', stderr: !o.silent || o.showError ? `curl: (58) ${message}\n` : '', durationMs: 0, command: displayArgv(['curl', ...args]), ...emulated };
  }
}

const curlSchema = s.anyOf([
  s.string({ check: argumentLineProblem }),
  s.array(s.string(), { minItems: 1 }),
  s.object(
    {
      args: argumentLineSchema('curl arguments'),
      emulate: s.enum(CURL_PROFILES, 'linux-openssl (the real curl here, default), macos-securetransport, macos-libressl'),
      curlVersion: s.string({ pattern: '^\\d+\\.\\d+\\.\\d+$', examples: ['7.58.0', '7.64.1', '8.7.1'], description: 'the curl version emulated (default 8.7.1, macOS 15 and 26)' }),
      keychain: s.object(
        {
          identities: s.array(s.object({ item: s.string({ ref: 'pki', description: 'a certificate item whose key is in the Keychain' }) }, { required: ['item'] }), { description: 'identities (certificate and key) imported into the Keychain' }),
          certificates: s.array(s.string(), { description: 'Common Names of certificates in the Keychain without their key' }),
        },
        { description: 'the simulated Keychain from this step on (otherwise it carries over from earlier steps)' },
      ),
      env: s.map(s.string(), 'extra environment variables for curl'),
    },
    { required: ['args'] },
  ),
]);

export const curlStep = defineStep({
  kind: 'curl',
  summary: 'run curl with these arguments: the real binary, or a macOS profile (Secure Transport by version and Keychain, LibreSSL)',
  schema: curlSchema,
  expect: {
    ...processExpect,
    httpStatus: matcher('number', 'the status of the last HTTP response (read from the response headers; -v is not needed)'),
    ...exchangeExpect,
    tlsVersion: matcher('string', 'from "* SSL connection using TLSv1.3 / ..."'),
    cipher: matcher('string'),
    alpn: matcher('string'),
    serverCertificate: fields({ subject: matcher('string'), issuer: matcher('string'), expireDate: matcher('string'), subjectAltNameMatch: matcher('boolean') }),
    curlError: matcher('string', 'the "curl: (N) ..." message, without the prefix'),
    osStatus: matcher('number', 'macos-securetransport: the OSStatus behind a failure'),
    clientCertificate: matcher('string', 'macos-securetransport: the CN of the identity presented'),
    keychain: matcher('any', 'macos-securetransport: Common Names of the identities in the Keychain afterwards'),
    profile: matcher('string'),
  },
  defaultExpect: () => ({ exit: 0 }),
  peers: () => ['curl'],
  prepare(raw, scope) {
    const { args, ...rest } = curlSpec(raw);
    return { ...interpolate(rest, scope), args: typeof args === 'string' ? argumentLine(withoutProgram(args), scope) : interpolate(args, scope) };
  },
  async execute(raw, ctx) {
    const spec = curlSpec(raw);
    const args = typeof spec.args === 'string' ? argumentLine(withoutProgram(spec.args), () => undefined) : spec.args;
    const r: Record<string, unknown> = spec.emulate === 'macos-securetransport' ? await secureTransport(args, spec, ctx) : spec.emulate === 'macos-libressl' ? await libressl(args, spec, ctx) : await realCurl(args, spec, ctx);
    const { dumpedStatus, ...rest } = r;
    const verbose = parseCurlVerbose(String(r.stderr ?? ''));
    const httpStatus = verbose.httpStatus ?? (dumpedStatus as number | undefined);
    const exchange = curlPhase(typeof r.exit === 'number' ? r.exit : null, String(r.stderr ?? ''), httpStatus);
    return { ...rest, ...verbose, ...(httpStatus !== undefined ? { httpStatus } : {}), ...exchange };
  },
});
