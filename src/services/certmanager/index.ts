// `certmanager`: document 003's certbot container as a service: it runs the manager once when it
// starts (provided, else ACME, else self-signed), so services that read its files (a gateway)
// can start after it, and then, with `renewEvery`, runs the renewal job on that period.
//
//   services:
//     ca: { kind: acme, validity: 90d }
//     cm: { kind: certmanager, server: ca, hostname: aiotes.example.org }
//     gw: { kind: gateway, tls: { default: { key: "{{cm.keyFile}}", cert: "{{cm.certFile}}", ca: ["{{cm.chainFile}}"] } } }
import { join } from 'node:path';
import { s, duration } from '../../scenario/schema.ts';
import { parseDuration } from '../../scenario/duration.ts';
import type { ServiceKind } from '../types.ts';
import { renewManager, runManager } from '../../clients/certmanager/manager.ts';
import { MANAGER_SPEC_FIELDS, settingsFromSpec, type ManagerSpec } from '../../clients/certmanager/spec.ts';

export interface CertmanagerServiceSpec extends ManagerSpec {
  renewEvery?: string | number;
}

export const certmanagerService: ServiceKind<CertmanagerServiceSpec> = {
  kind: 'certmanager',
  summary: "document 003's certificate manager as a service: runs once at start, then the renewal job every renewEvery",
  schema: s.object(
    {
      ...MANAGER_SPEC_FIELDS,
      renewEvery: duration('run the renewal job this often (real time; it renews on Mondays when fewer than 30 days remain)'),
    },
    { required: ['hostname'] },
  ),
  properties: ['liveDir', 'keyFile', 'certFile', 'chainFile', 'fullchainFile', 'source', 'outcome'],
  async start(spec, ctx) {
    const server = spec.server ? ctx.services[spec.server] : undefined;
    const settings = await settingsFromSpec(spec, server, { workDir: ctx.workDir, httpAddress: ctx.host });
    const first = await runManager(settings, new Date(), ctx.log);
    for (const w of first.warnings) ctx.log(`WARNING: ${w}`);
    let timer: NodeJS.Timeout | undefined;
    let running: Promise<unknown> = Promise.resolve();
    const every = spec.renewEvery !== undefined ? parseDuration(spec.renewEvery) : undefined;
    if (every) timer = setInterval(() => (running = renewManager(settings, new Date(), ctx.log).then((r) => ctx.log(`renewal job: ${r.outcome}`))), every);
    const live = join(settings.configDir, 'live', settings.name);
    return {
      props: { liveDir: live, keyFile: join(live, 'privkey.pem'), certFile: join(live, 'cert.pem'), chainFile: join(live, 'chain.pem'), fullchainFile: join(live, 'fullchain.pem'), source: first.source ?? '', outcome: first.outcome },
      async stop() {
        if (timer) clearInterval(timer);
        await running;
      },
    };
  },
};
