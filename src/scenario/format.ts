// The top-level shape of a scenario file, composed from the kinds in a catalog.
import { s, duration, type Schema } from './schema.ts';
import type { FormatCatalog } from './types.ts';

export const SCHEMA_ID = 'https://certharness.dev/schema/scenario.schema.json';

/** Keys every step may carry besides its kind. */
export function commonStepProperties(): Record<string, Schema> {
  return {
    name: s.string({ description: 'what the step shows, in the words of the document it replays' }),
    timeout: duration('give up on the step after this long (default: --timeout, 30s)'),
    retries: s.integer({ minimum: 0, maximum: 20, description: 'run again up to N times on failure; a pass on retry is reported as flaky' }),
    skip: s.anyOf([s.boolean(), s.string()], 'do not run the step; a string gives the reason'),
    todo: s.anyOf([s.boolean(), s.string()], 'expected to fail (reported as TODO, does not fail the run)'),
    only: s.boolean('run only the steps marked only (earlier steps still run when later ones need their files)'),
    gate: s.string({ description: 'what the later steps need from this one, and how to fix it: when this step fails the scenario stops here, and the later steps are skipped with this reason' }),
    skipOn: s.object(
      { node: s.string(), bun: s.string(), deno: s.string() },
      { description: 'skip the step on these runtimes, each with the reason (a runtime difference, written down where it shows)' },
    ),
  };
}

export function stepSchema(catalog: FormatCatalog): Schema {
  const variants = Object.fromEntries(
    Object.entries(catalog.steps).map(([kind, def]) => [
      kind,
      s.object(
        {
          ...commonStepProperties(),
          [kind]: s.describe(def.schema, def.summary),
          expect: s.object(def.expect, { description: `what the ${kind} step's result must show` }),
        },
        { required: [kind] },
      ),
    ]),
  );
  return s.tagged('step kind', variants, 'one action and what its result must show');
}

export function serviceVariants(catalog: FormatCatalog): Record<string, Extract<Schema, { type: 'object' }>> {
  return Object.fromEntries(
    Object.entries(catalog.services).map(([kind, def]) => {
      const base = def.schema.type === 'object' ? def.schema : s.object({});
      return [
        kind,
        s.object<Record<string, Schema>, string>(
          { kind: s.enum([kind], def.summary), start: s.enum(['setup', 'step'], 'setup: before the steps (default); step: when a `start` step names it, so it can use files earlier steps made'), ...base.properties },
          { required: ['kind', ...(base.required ?? [])], description: def.summary, ...(base.check ? { check: base.check } : {}) },
        ),
      ];
    }),
  );
}

export function serviceSchema(catalog: FormatCatalog): Schema {
  return s.anyOf(Object.values(serviceVariants(catalog)), 'a service started on loopback for the scenario');
}

export function scenarioSchema(catalog: FormatCatalog): Schema {
  return s.object(
    {
      scenario: s.string({ description: 'the title, shown in every report' }),
      source: s.string({ description: 'which requirements document the scenario covers, e.g. "001"' }),
      description: s.string({ description: 'a longer explanation' }),
      tags: s.array(s.string(), { description: 'labels for --tag filters' }),
      requires: s.array(s.string(), { description: 'programs the scenario runs itself (in exec steps): missing ones skip it with the fix, or fail it under CI' }),
      vars: s.map(s.anyOf([s.string(), s.number(), s.boolean()]), 'defaults for {{vars.NAME}}; --var NAME=VALUE overrides'),
      pki: s.map(
        s.anyOf(Object.values(catalog.pki).map((k) => s.describe(k.schema, k.summary))),
        'keys, certificates, CSRs, CRLs and PKCS#12 bundles, created fresh for each run; {{name.certFile}} and friends',
      ),
      services: s.map(serviceSchema(catalog), 'services started on loopback (port 0 unless pinned); {{name.url}} and friends'),
      steps: s.array(stepSchema(catalog), { description: 'run in order; every step is a test case in the reports' }),
    },
    { required: ['scenario', 'steps'] },
  );
}
