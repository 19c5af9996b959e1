// How a scenario names the manager's settings, shared by the `certmanager` step and service:
// a server (an acme or pebble service's properties) or a directory, and paths in the work dir.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { managerSettings, type ManagerInput, type ManagerSettings } from './manager.ts';

export interface ManagerSpec {
  server?: string;
  directory?: string;
  trust?: string;
  hostname: string;
  email?: string;
  httpPort?: number | string;
  configDir?: string;
  name?: string;
}

/** `server` is the named service's properties (directoryUrl, caFile, httpPort), when one is named. */
export async function settingsFromSpec(spec: ManagerSpec, server: Record<string, unknown> | undefined, o: { workDir: string; httpAddress: string; more?: Partial<ManagerInput> }): Promise<ManagerSettings> {
  const trustFile = spec.trust ? resolve(o.workDir, spec.trust) : (server?.caFile as string | undefined);
  return managerSettings({
    hostname: spec.hostname,
    email: spec.email,
    directoryUrl: spec.directory ?? (server?.directoryUrl as string | undefined),
    trustPem: trustFile ? await readFile(trustFile, 'utf8') : undefined,
    httpPort: spec.httpPort ?? (server?.httpPort as number | undefined),
    httpAddress: o.httpAddress,
    configDir: resolve(o.workDir, spec.configDir ?? 'letsencrypt'),
    name: spec.name,
    ...o.more,
  });
}
