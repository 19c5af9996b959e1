// What a service kind is: a schema, the properties it exposes to `{{name.prop}}`, and a
// start function that returns those properties and a stop function.
import type { Infer, Schema } from '../scenario/schema.ts';
import type { ReservedPort } from '../net/reserved-port.ts';
import type { Revocations } from '../pki/revocations.ts';
import type { PkiItems } from '../pki/build.ts';

export interface ServiceContext {
  name: string;
  /** The scenario's work directory: configs and logs go under `<workDir>/services/<name>/`. */
  workDir: string;
  /** Loopback address to bind (127.0.0.1 unless the scenario says otherwise). */
  host: string;
  signal: AbortSignal;
  env: Record<string, string | undefined>;
  log(line: string): void;
  /** Runtime PKI items and already-started services, by name. */
  pki: PkiItems;
  services: Record<string, Record<string, unknown>>;
  scenarioDir: string;
  /** What the scenario has revoked, per CA item: the revoke step adds to it. */
  revocations: Revocations;
  /** The ports the world reserved for it (ServiceKind.listeners), by name; its servers attach to them. */
  reserved?: Record<string, ReservedPort>;
}

/**
 * Ports a service serves on, which the world binds before the PKI is made and keeps until the
 * end, so a certificate can carry the service's address (a CRL or OCSP URL, an AIA URL) and a
 * restart keeps its port.
 */
export interface ServiceListeners<Spec> {
  /** Each port by name, with the number the scenario pinned, if it did. */
  ports(spec: Spec): Record<string, number | undefined>;
  /** The properties known from the ports alone: what a PKI declaration may refer to. */
  address(ports: Record<string, number>, host: string): Record<string, string | number>;
  /** Their names, for the loader. */
  properties: readonly string[];
}

export interface RunningService {
  /** What `{{name.prop}}` resolves to: url, host, port, and kind-specific ones. */
  props: Record<string, string | number | boolean>;
  stop(): Promise<void>;
}

export interface ServiceKind<Spec = Record<string, unknown>> {
  kind: string;
  summary: string;
  /** Schema of the service mapping, without `kind`. */
  schema: Extract<Schema, { type: 'object' }>;
  properties: readonly string[];
  peers?: (spec: Spec) => string[];
  listeners?: ServiceListeners<Spec>;
  start(spec: Spec, ctx: ServiceContext): Promise<RunningService>;
}

/** A service kind in a collection: the runner passes on the spec the loader validated against its schema. */
export type AnyServiceKind = ServiceKind<any>;

/** Declares a service kind once: its spec type is inferred from its schema. */
export function defineService<S extends Extract<Schema, { type: 'object' }>>(kind: Omit<ServiceKind<Infer<S>>, 'schema'> & { schema: S }): ServiceKind<Infer<S>> {
  return kind;
}
