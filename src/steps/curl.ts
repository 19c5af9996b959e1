// `curl`: the real curl binary with the arguments written, run in the work directory. The
// result has curl's exit code and output, and what its -v output says (TLS version, server
// certificate, HTTP status). `emulate` selects a platform profile; `linux-openssl` is the real
// binary on this machine.
//
//   - name: curl -v -s -k --key client.key --cert client.crt (document 001)
//     curl: { args: [-v, -s, -k, --key, "{{client.keyFile}}", --cert, "{{client.certFile}}", "{{upstream.url}}/hello/world"] }
//     expect: { exit: 0, httpStatus: 200 }
import { s, stringOrList } from '../scenario/schema.ts';
import { matcher, fields } from '../expect/vocabulary.ts';
import { runProcess, splitCommandLine } from '../clients/process.ts';
import { parseCurlVerbose } from '../clients/curl-output.ts';
import { processExpect } from './exec.ts';
import type { StepKind } from './types.ts';

export const CURL_PROFILES = ['linux-openssl'] as const;

export interface CurlSpec {
  args: string | string[];
  emulate?: (typeof CURL_PROFILES)[number];
  env?: Record<string, string>;
}

export const curlStep: StepKind<string | string[] | CurlSpec, Record<string, unknown>> = {
  kind: 'curl',
  summary: 'run curl with these arguments (the real binary; a string is split like a shell would, without one)',
  schema: s.anyOf([
    s.string(),
    s.array(s.string(), { minItems: 1 }),
    s.object(
      {
        args: stringOrList('curl arguments'),
        emulate: s.enum(CURL_PROFILES, 'linux-openssl: the real curl here (default)'),
        env: s.map(s.string()),
      },
      { required: ['args'] },
    ),
  ]),
  expect: {
    ...processExpect,
    httpStatus: matcher('number', 'the last HTTP status line in -v output'),
    tlsVersion: matcher('string', 'from "* SSL connection using TLSv1.3 / ..."'),
    cipher: matcher('string'),
    alpn: matcher('string'),
    serverCertificate: fields({ subject: matcher('string'), issuer: matcher('string'), expireDate: matcher('string'), subjectAltNameMatch: matcher('boolean') }),
    curlError: matcher('string', 'the "curl: (N) ..." message, without the prefix'),
  },
  defaultExpect: () => ({ exit: 0 }),
  peers: () => ['curl'],
  async execute(raw, ctx) {
    const spec: CurlSpec = typeof raw === 'string' || Array.isArray(raw) ? { args: raw } : raw;
    const args = typeof spec.args === 'string' ? splitCommandLine(spec.args.replace(/^\s*curl\s+/, '')) : spec.args;
    const r = await runProcess(['curl', ...args], { cwd: ctx.workDir, env: { ...ctx.env, ...spec.env }, signal: ctx.signal });
    return { ...r, command: `curl ${args.join(' ')}`, ...parseCurlVerbose(r.stderr) };
  },
};
