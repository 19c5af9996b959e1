// How a scenario names the manager's settings, shared by the `certmanager` step and service:
// a server (an acme or pebble service's properties) or a directory, and paths in the work dir.
import { readFile } from 'node:fs/promises';
import { s, type ObjectOf } from '../../scenario/schema.ts';
import { resolveWorkPath, workFile, OutsideWorkDirError } from '../../scenario/work-path.ts';
import { managerSettings, type ManagerInput, type ManagerSettings } from './manager.ts';

/** What a scenario says to the manager: the fields below, `hostname` required. */
export type ManagerSpec = ObjectOf<typeof MANAGER_SPEC_FIELDS, 'hostname'>;

/** A certificate's name is a directory under live/ and archive/: one path segment, as certbot's --cert-name. */
const CERT_NAME_PATTERN = '^(?!\\.\\.?$)[A-Za-z0-9._-]{1,128}$';

function certName(name: string | undefined): string | undefined {
  if (name !== undefined && !new RegExp(CERT_NAME_PATTERN).test(name)) throw new OutsideWorkDirError(`certmanager name '${name.slice(0, 80)}' is not one file name (letters, digits, '.', '_', '-')`);
  return name;
}

/** The schema of ManagerSpec's fields, the same in the step and the service. */
export const MANAGER_SPEC_FIELDS = {
  server: s.string({ ref: 'service', description: 'an acme or pebble service (directory, trust, HTTP-01 port)' }),
  directory: s.string({ description: "or an ACME directory URL (one of the two is needed; Let's Encrypt's is https://acme-v02.api.letsencrypt.org/directory)" }),
  trust: workFile('read', "PEM file the directory's HTTPS certificate chains to (relative to the work dir)"),
  hostname: s.string({ description: 'AIOTES_HOSTNAME: the name the certificate is for' }),
  email: s.string({ description: 'AIOTES_SYSADMIN_EMAIL' }),
  httpPort: s.anyOf([s.integer({ minimum: 1, maximum: 65535 }), s.string()], "HTTP-01 port (default: the service's httpPort); {{refs}} allowed"),
  configDir: workFile('write', 'certbot config dir, inside the work dir (default letsencrypt): live/<name>/ is inside'),
  name: s.string({ description: 'live/<name> (default aiotes, as the document): one file name', pattern: CERT_NAME_PATTERN, examples: ['aiotes', 'api.example.org'] }),
  profile: s.string({ description: "the ACME profile its orders ask for (certbot's --preferred-profile), e.g. shortlived; default: the CA's" }),
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
  const trustFile = spec.trust ? resolveWorkPath(o.workDir, spec.trust, 'read', 'certmanager trust') : (server?.caFile as string | undefined);
  return managerSettings({
    hostname: spec.hostname,
    email: spec.email,
    directoryUrl: spec.directory ?? (server?.directoryUrl as string | undefined),
    trustPem: trustFile ? await readFile(trustFile, 'utf8') : undefined,
    httpPort: spec.httpPort ?? (server?.httpPort as number | undefined),
    httpAddress: o.httpAddress,
    configDir: resolveWorkPath(o.workDir, spec.configDir ?? 'letsencrypt', 'write', 'certmanager configDir'),
    name: certName(spec.name),
    profile: spec.profile,
    ...o.more,
  });
}
