// `catalogue`: every case of the catalogue of misconfigured TLS endpoints (src/catalogue/), or
// the ones named, inside a scenario: its own PKI made fresh at start and one upstream per case,
// so a scenario can hold its own client to them. Each case's address is a property:
//
//   services:
//     catalogue: { kind: catalogue, cases: [good, expired, wrong-host] }
//   steps:
//     - exec: [curl, --cacert, "{{catalogue.caFile}}", --resolve, "{{catalogue.expired.resolve}}", "{{catalogue.expired.url}}"]
//       expect: { exit: 60 }
//     - catalogue: { endpoints: catalogue, command: [./my-client, --ca, "{{catalogue.caFile}}"] }
import { join } from 'node:path';
import { s } from '../../scenario/schema.ts';
import { defineService, type RunningService, type ServiceContext } from '../types.ts';
import { buildPki, type PkiItems } from '../../pki/build.ts';
import { declaredPkiKind } from '../../pki/declare.ts';
import { Revocations } from '../../pki/revocations.ts';
import { revokeDeclared } from '../../pki/declared-revocations.ts';
import { upstreamService } from '../upstream/index.ts';
import { crlService } from '../crl/index.ts';
import { ocspService } from '../ocsp/index.ts';
import { HTTPS_CASES, CASE_ENDPOINT_FIELDS, CLIENT_CERTIFICATES, caseEndpoint, CATALOGUE_DOMAIN, type CatalogueCase } from '../../catalogue/cases.ts';
import { cataloguePki, caseServer, CATALOGUE_TRUST } from '../../catalogue/scenario.ts';

const CASE_NAMES = HTTPS_CASES.map((c) => c.name);
const CLIENT_CERTIFICATE_FIELDS = ['certFile', 'keyFile', 'p12File', 'p12Password'] as const;

export const catalogueService = defineService({
  kind: 'catalogue',
  summary: `the catalogue of misconfigured TLS endpoints (${HTTPS_CASES.length} cases: expired, wrong-host, untrusted-root...), each on its own loopback port: {{name.caFile}}, {{name.<case>.url}}`,
  schema: s.object({
    cases: s.array(s.enum(CASE_NAMES), { minItems: 1, description: 'the cases to serve (default: every case)' }),
  }),
  properties: ['caFile', 'host', 'domain', 'cases', ...CASE_NAMES.flatMap((c) => CASE_ENDPOINT_FIELDS.map((f) => `${c}.${f}`)), ...CLIENT_CERTIFICATES.flatMap((c) => CLIENT_CERTIFICATE_FIELDS.map((f) => `${c}.${f}`))],
  async start(spec, ctx) {
    const cases = spec.cases ? HTTPS_CASES.filter((c) => spec.cases!.includes(c.name)) : HTTPS_CASES;
    // Its own PKI and revocations: the names are the catalogue's, and they must not meet the scenario's.
    const pki: PkiItems = {};
    const revocations = new Revocations(new Date());
    const inner = (name: string): ServiceContext => ({ ...ctx, name: `${ctx.name}.${name}`, pki, revocations, reserved: undefined, log: (line) => ctx.log(`${name}: ${line}`) });
    const running: RunningService[] = [];
    const stop = () => Promise.all(running.map((r) => r.stop())).then(() => undefined);
    try {
      // The revocation services first: the revoked cases' certificates carry their URLs.
      const [crl, ocsp] = await startAll([crlService.start({}, inner('crl')), ocspService.start({}, inner('ocsp'))], running);
      const decls = Object.fromEntries(Object.entries(cataloguePki(cases)).map(([n, spec]) => [n, { kind: declaredPkiKind(spec), spec }]));
      const scope = (root: string, prop: string | undefined) => (prop ? ({ crl: crl!.props, ocsp: ocsp!.props } as Record<string, RunningService['props'] | undefined>)[root]?.[prop] : undefined);
      Object.assign(pki, await buildPki(decls, { workDir: join(ctx.workDir, 'services', ctx.name), scenarioDir: ctx.scenarioDir, scope }));
      await revokeDeclared(decls, pki, revocations, new Date());
      const endpoints = await startAll(cases.map((c) => upstreamService.start(caseServer(c) as never, inner(c.name)).catch((e: Error) => Promise.reject(new Error(`case ${c.name} did not start: ${e.message}`)))), running);
      return { props: catalogueProps(cases, endpoints, pki, ctx.host), stop };
    } catch (e) {
      await stop();
      throw e;
    }
  },
});

/** Waits for every start; each one that started goes on `running` (to be stopped), and the first failure is thrown once all have settled. */
async function startAll(starts: Promise<RunningService>[], running: RunningService[]): Promise<RunningService[]> {
  const settled = await Promise.allSettled(starts);
  for (const r of settled) if (r.status === 'fulfilled') running.push(r.value);
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((r) => (r as PromiseFulfilledResult<RunningService>).value);
}

/** The trust file, and where each case is: `{{name.caFile}}`, `{{name.<case>.url}}`... */
function catalogueProps(cases: readonly CatalogueCase[], endpoints: readonly RunningService[], pki: PkiItems, host: string): RunningService['props'] {
  const props: RunningService['props'] = { caFile: pki[CATALOGUE_TRUST]!.props.certFile as string, host, domain: CATALOGUE_DOMAIN, cases: cases.map((c) => c.name).join(',') };
  cases.forEach((c, i) => {
    const endpoint = caseEndpoint(c, endpoints[i]!.props.port as number, host);
    for (const f of CASE_ENDPOINT_FIELDS) props[`${c.name}.${f}`] = endpoint[f];
  });
  // The client certificates a case may have the client present: PEM, and PKCS#12 for clients that load only that.
  for (const c of CLIENT_CERTIFICATES) {
    const pem = pki[c]!.props;
    const p12 = pki[`${c}-p12`]!.props;
    Object.assign(props, { [`${c}.certFile`]: pem.certFile!, [`${c}.keyFile`]: pem.keyFile!, [`${c}.p12File`]: p12.p12File!, [`${c}.p12Password`]: p12.password! });
  }
  return props;
}
