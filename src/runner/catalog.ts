// The kinds a run knows about, composed once: the scenario layer validates against the
// FormatCatalog view, the runner executes through the lookup maps.
import type { FormatCatalog } from '../scenario/types.ts';
import type { AnyStepKind } from '../steps/types.ts';
import type { AnyServiceKind } from '../services/types.ts';
import { STEP_KINDS } from '../steps/registry.ts';
import { SERVICE_KINDS } from '../services/registry.ts';
import { PKI_KINDS } from '../pki/declare.ts';

export interface Catalog {
  format: FormatCatalog;
  steps: Map<string, AnyStepKind>;
  services: Map<string, AnyServiceKind>;
}

export function createCatalog(steps: readonly AnyStepKind[] = STEP_KINDS, services: readonly AnyServiceKind[] = SERVICE_KINDS): Catalog {
  return {
    steps: new Map(steps.map((k) => [k.kind, k])),
    services: new Map(services.map((k) => [k.kind, k])),
    format: {
      steps: Object.fromEntries(steps.map((k) => [k.kind, { schema: k.schema, expect: k.expect, summary: k.summary, ...(k.checkScenario ? { checkScenario: k.checkScenario } : {}) }])),
      services: Object.fromEntries(services.map((k) => [k.kind, { schema: k.schema, properties: k.properties, summary: k.summary, ...(k.listeners ? { addressProperties: k.listeners.properties } : {}) }])),
      pki: PKI_KINDS,
    },
  };
}
