// `certmanager`: document 003's certbot container as a service: it runs the manager once when it
// starts (provided, else ACME, else self-signed), so services that read its files (a gateway)
// can start after it. The weekly renewal job is the `certmanager` step with `action: renew`,
// which runs at the scenario's clock.
//
//   services:
//     ca: { kind: acme, validity: 90d }
//     cm: { kind: certmanager, server: ca, hostname: aiotes.example.org }
//     gw: { kind: gateway, tls: { default: { key: "{{cm.keyFile}}", cert: "{{cm.certFile}}", ca: ["{{cm.chainFile}}"] } } }
import { join } from 'node:path';
import { s } from '../../scenario/schema.ts';
import { defineService } from '../types.ts';
import { runManager } from '../../clients/certmanager/manager.ts';
import { MANAGER_SPEC_FIELDS, settingsFromSpec } from '../../clients/certmanager/spec.ts';

export const certmanagerService = defineService({
  kind: 'certmanager',
  summary: "document 003's certificate manager as a service: runs once at start, so a gateway can start on its files",
  schema: s.object({ ...MANAGER_SPEC_FIELDS }, { required: ['hostname'] }),
  properties: ['liveDir', 'keyFile', 'certFile', 'chainFile', 'fullchainFile', 'source', 'outcome'],
  async start(spec, ctx) {
    const server = spec.server ? ctx.services[spec.server] : undefined;
    const settings = await settingsFromSpec(spec, server, { workDir: ctx.workDir, httpAddress: ctx.host });
    const first = await runManager(settings, new Date(), ctx.log);
    for (const w of first.warnings) ctx.log(`WARNING: ${w}`);
    const live = join(settings.configDir, 'live', settings.name);
    return {
      props: { liveDir: live, keyFile: join(live, 'privkey.pem'), certFile: join(live, 'cert.pem'), chainFile: join(live, 'chain.pem'), fullchainFile: join(live, 'fullchain.pem'), source: first.source ?? '', outcome: first.outcome },
      async stop() {},
    };
  },
});
