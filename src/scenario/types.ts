// What a loaded, validated scenario looks like. Values are still uninterpolated: `{{refs}}`
// are resolved by the runner once the PKI and services they name exist.
import type { Schema } from './schema.ts';
import type { SourcePosition } from './problem.ts';

export interface Scenario {
  file: string;
  /** Directory of the scenario file: relative input paths resolve against it. */
  dir: string;
  title: string;
  /** Which requirements document it covers (e.g. "001"). */
  source?: string;
  description?: string;
  tags: string[];
  /** Programs the scenario's exec steps need (openssl...), besides those its kinds declare. */
  requires: string[];
  vars: Record<string, string>;
  pki: Record<string, PkiItemDecl>;
  /** Service names in an order where every service comes after the ones it uses. */
  serviceOrder: string[];
  services: Record<string, ServiceDecl>;
  steps: StepDecl[];
}

export interface PkiItemDecl {
  name: string;
  /** Which kind of item: 'default' (a certificate), or the tag key that chose another (pkcs12, crl, trust). */
  kind: string;
  spec: Record<string, unknown>;
  at?: SourcePosition;
}

export interface ServiceDecl {
  name: string;
  kind: string;
  spec: Record<string, unknown>;
  /** Other services this one uses (they start first and stop last). */
  dependsOn: string[];
  /** PKI items it names (`cert: server`) or refers to (`{{server.certFile}}`). */
  usesPki: string[];
  at?: SourcePosition;
}

export interface StepDecl {
  index: number;
  name: string;
  kind: string;
  spec: unknown;
  expect?: Record<string, unknown>;
  timeoutMs?: number;
  retries: number;
  skip?: string;
  /** Runtime name -> why the step is skipped there. */
  skipOn?: Record<string, string>;
  todo?: string;
  /** When this step fails, the later steps are skipped with this reason (what they need, how to fix it). */
  gate?: string;
  only: boolean;
  /** PKI items it names (`clientCert: client`) or refers to (`{{client.certFile}}`). */
  usesPki: string[];
  at?: SourcePosition;
}

/**
 * What the scenario layer needs to know about step, service and PKI kinds to validate a
 * file. The runner's catalog provides it; the scenario layer never imports a kind itself.
 */
export interface FormatCatalog {
  steps: Record<string, { schema: Schema; expect: Record<string, Schema>; summary: string; checkScenario?: (spec: never, pki: Record<string, PkiItemDecl>) => string | undefined }>;
  /** `addressProperties`: what is known before the PKI is made (the kind reserves its ports first), so PKI declarations may use them. */
  services: Record<string, { schema: Schema; properties: readonly string[]; addressProperties?: readonly string[]; summary: string }>;
  /**
   * PKI item kinds. An item is of the kind whose tag key it has (`pkcs12:`, `crl:`); an item
   * with none of the tags is of the kind tagged `default`.
   */
  pki: Record<string, { schema: Extract<Schema, { type: 'object' }>; properties: readonly string[]; summary: string }>;
}
