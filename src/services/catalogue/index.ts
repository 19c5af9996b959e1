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
import { defineService, type RunningService } from '../types.ts';
import { buildPki } from '../../pki/build.ts';
import { upstreamService } from '../upstream/index.ts';
import { CATALOGUE_CASES, CASE_ENDPOINT_FIELDS, caseEndpoint, CATALOGUE_DOMAIN } from '../../catalogue/cases.ts';
import { cataloguePki, caseServer, CATALOGUE_TRUST } from '../../catalogue/scenario.ts';

const CASE_NAMES = CATALOGUE_CASES.map((c) => c.name);

/** Drops keys whose value is undefined: a case's overrides unset a default that way. */
const defined = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

export const catalogueService = defineService({
  kind: 'catalogue',
  summary: `the catalogue of misconfigured TLS endpoints (${CATALOGUE_CASES.length} cases: expired, wrong-host, untrusted-root...), each on its own loopback port: {{name.caFile}}, {{name.<case>.url}}`,
  schema: s.object({
    cases: s.array(s.enum(CASE_NAMES), { minItems: 1, description: 'the cases to serve (default: every case)' }),
  }),
  properties: ['caFile', 'host', 'domain', 'cases', ...CASE_NAMES.flatMap((c) => CASE_ENDPOINT_FIELDS.map((f) => `${c}.${f}`))],
  async start(spec, ctx) {
    const cases = spec.cases ? CATALOGUE_CASES.filter((c) => spec.cases!.includes(c.name)) : CATALOGUE_CASES;
    const dir = join(ctx.workDir, 'services', ctx.name);
    const decls = Object.fromEntries(Object.entries(cataloguePki(cases)).map(([n, d]) => [n, { kind: 'default', spec: defined(d) }]));
    const pki = await buildPki(decls, { workDir: dir, scenarioDir: ctx.scenarioDir });
    const started = await Promise.allSettled(cases.map((c) => upstreamService.start(caseServer(c) as never, { ...ctx, name: `${ctx.name}.${c.name}`, pki, reserved: undefined, log: (line) => ctx.log(`${c.name}: ${line}`) })));
    const running = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const stop = () => Promise.all(running.map((r) => r.stop())).then(() => undefined);
    const failed = started.findIndex((r) => r.status === 'rejected');
    if (failed >= 0) {
      await stop();
      throw new Error(`case ${cases[failed]!.name} did not start: ${((started[failed] as PromiseRejectedResult).reason as Error).message}`);
    }
    const props: RunningService['props'] = { caFile: pki[CATALOGUE_TRUST]!.props.certFile as string, host: ctx.host, domain: CATALOGUE_DOMAIN, cases: cases.map((c) => c.name).join(',') };
    cases.forEach((c, i) => {
      const endpoint = caseEndpoint(c, running[i]!.props.port as number, ctx.host);
      for (const f of CASE_ENDPOINT_FIELDS) props[`${c.name}.${f}`] = endpoint[f];
    });
    return { props, stop };
  },
});
