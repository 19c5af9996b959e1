// How a scenario names the manager's settings, shared by the `certmanager` step and service:
// a server (an acme or pebble service's properties) or a directory, and paths in the work dir.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { s } from '../../scenario/schema.ts';
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

/** The schema of ManagerSpec's fields, the same in the step and the service. */
export const MANAGER_SPEC_FIELDS = {
  server: s.string({ ref: 'service', description: 'an acme or pebble service (directory, trust, HTTP-01 port)' }),
  directory: s.string({ description: "or an ACME directory URL (one of the two is needed; Let's Encrypt's is https://acme-v02.api.letsencrypt.org/directory)" }),
  trust: s.string({ description: "PEM file the directory's HTTPS certificate chains to (relative to the work dir)" }),
  hostname: s.string({ description: 'AIOTES_HOSTNAME: the name the certificate is for' }),
  email: s.string({ description: 'AIOTES_SYSADMIN_EMAIL' }),
  httpPort: s.anyOf([s.integer({ minimum: 1, maximum: 65535 }), s.string()], "HTTP-01 port (default: the service's httpPort); {{refs}} allowed"),
  configDir: s.string({ description: 'certbot config dir, relative to the work dir (default letsencrypt): live/<name>/ is inside' }),
  name: s.string({ description: 'live/<name> (default aiotes, as the document)' }),
};

/** `server` is the named service's properties (directoryUrl, caFile, httpPort), when one is named. */
export class ManagerSpecError extends Error {}

/**
 * A scenario names its CA: a `server` service that has a directory, or a `directory` URL. There
 * is no default here, unlike the command line: a scenario that forgot it must not end up asking
 * Let's Encrypt for certificates.
 */
export async function settingsFromSpec(spec: ManagerSpec, server: Record<string, unknown> | undefined, o: { workDir: string; httpAddress: string; more?: Partial<ManagerInput>; needsCa?: boolean }): Promise<ManagerSettings> {
  if (spec.server !== undefined && !server) throw new ManagerSpecError(`service ${spec.server} is not running`);
  if (spec.server !== undefined && typeof server?.directoryUrl !== 'string') throw new ManagerSpecError(`service ${spec.server} is not an ACME CA (it has no directoryUrl): name an acme or pebble service`);
  if (spec.server === undefined && spec.directory === undefined && o.needsCa !== false) throw new ManagerSpecError('no ACME CA: give server: (an acme or pebble service) or directory: (a URL)');
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
