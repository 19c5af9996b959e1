// Reads a scenario file into a validated Scenario, or into the full list of its problems.
// Nothing here starts anything: every problem of a file is known before a run begins.
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { LineCounter, parseDocument, isMap, isPair, isScalar, isSeq, visit, Scalar, type Node, type Document } from 'yaml';
import type { Problem, SourcePosition } from './problem.ts';
import { validate, positionOf, quoteShort, type ValidationContext, type Reference, type Schema, s } from './schema.ts';
import { scenarioSchema, serviceVariants, stepSchema } from './format.ts';
import { findRefs, findMalformed } from './interpolate.ts';
import { didYouMean } from './suggest.ts';
import { parseDuration } from './duration.ts';
import { readScenarioSource } from './source.ts';
import { expandAliases } from './aliases.ts';
import type { FormatCatalog, PkiItemDecl, Scenario, ServiceDecl, StepDecl } from './types.ts';
import { dependencyOrder } from '../util/graph.ts';

export interface LoadOptions {
  catalog: FormatCatalog;
  /** The environment `{{env.NAME}}` reads from. */
  env: Record<string, string | undefined>;
  /** `--var NAME=VALUE` values; they override the scenario's `vars:`. */
  vars?: Record<string, string>;
}

export interface LoadResult {
  scenario?: Scenario;
  problems: Problem[];
  source: string;
}

export function loadScenarioFile(file: string, options: LoadOptions): LoadResult {
  const read = readScenarioSource(file);
  if (typeof read !== 'string') return { problems: [{ ...read, at: { file, line: 1, col: 1 } }], source: '' };
  return loadScenarioText(file, read, options);
}

const BUILTIN_ROOTS = ['env', 'vars', 'workDir'];
/** A PKI item or service name: it is a file name and a {{reference}} root, so nothing that can climb out of a directory. */
const ITEM_NAME = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/;

export function loadScenarioText(file: string, text: string, options: LoadOptions): LoadResult {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, strict: true });
  const problems: Problem[] = [];
  const ctx = (): ValidationContext => ({ file, lines, problems, refs: [], inputFiles: [] });
  const at = (offset: number): SourcePosition => {
    const { line, col } = lines.linePos(offset);
    return { file, line, col };
  };

  for (const e of doc.errors) {
    problems.push({ code: 'yaml-syntax', message: yamlMessage(e.code, e.message), at: at(e.pos[0]) });
  }
  // A tag (!!js/function, !custom) has no meaning in a scenario: the value would silently be a plain string.
  for (const w of doc.warnings) {
    if (w.code === 'TAG_RESOLVE_FAILED') problems.push({ code: 'yaml-syntax', message: `YAML tag ${w.message.split('\n')[0]!.replace(/^Unresolved tag: /, '').replace(/ at line \d+, column \d+:?$/, '')} is not supported: scenarios use plain YAML values`, at: at(w.pos[0]) });
  }
  if (problems.length) return { problems: capProblems(problems), source: text };
  // Aliases become copies of their anchors before anything reads the tree, so `*step` is a step like any other.
  for (const a of expandAliases(doc)) problems.push({ code: 'yaml-syntax', message: a.message, at: at(a.offset) });
  if (problems.length) return { problems: capProblems(problems), source: text };
  const root = doc.contents as Node | null;
  if (!isMap(root)) {
    problems.push({ code: 'wrong-type', message: 'a scenario file must be a mapping with at least `scenario:` and `steps:`', at: { file, line: 1, col: 1 } });
    return { problems, source: text };
  }

  const { catalog } = options;
  // Top level: check the keys here; the three sections are checked item by item below,
  // because each item's references need to be known per item.
  const topSchema = scenarioSchema(catalog);
  if (topSchema.type !== 'object') throw new Error('scenario schema must be an object');
  const shallow = s.object<Record<string, Schema>, string>({ ...topSchema.properties, pki: s.map(s.any()), services: s.map(s.any()), steps: s.array(s.any()) }, { required: topSchema.required ?? [] });
  validate(root, shallow, '', ctx());

  const section = (key: string): Node | null | undefined => root.get(key, true) as Node | null | undefined;
  const entries = (node: Node | null | undefined) =>
    isMap(node) ? node.items.filter(isPair).map((p) => ({ name: isScalar(p.key) ? String(p.key.value) : String(p.key), keyNode: p.key as Node, value: p.value as Node | null })) : [];

  // ---- pki
  const pki: Record<string, PkiItemDecl> = {};
  const pkiRefs: Record<string, Reference[]> = {};
  const inputFiles: ValidationContext['inputFiles'] = [];
  const pkiKinds = Object.keys(catalog.pki).filter((k) => k !== 'default');
  for (const { name, keyNode, value } of entries(section('pki'))) {
    const c = ctx();
    const keys = isMap(value) ? value.items.filter(isPair).map((p) => (isScalar(p.key) ? String(p.key.value) : '')) : [];
    const tags = pkiKinds.filter((k) => keys.includes(k));
    if (tags.length > 1) {
      problems.push({ code: 'bad-value', message: `pki.${name} is both ${tags.join(' and ')}: split it into separate items`, ...opt(positionOf(keyNode, c)) });
      continue;
    }
    const kind = tags[0] ?? 'default';
    validate(value, catalog.pki[kind]!.schema, `pki.${name}`, c);
    pkiRefs[name] = c.refs;
    inputFiles.push(...c.inputFiles);
    const pos = positionOf(keyNode, c);
    pki[name] = { name, kind, spec: toPlain(value, doc) as Record<string, unknown>, ...(pos ? { at: pos } : {}) };
  }

  // ---- services
  const services: Record<string, ServiceDecl> = {};
  const serviceRefs: Record<string, Reference[]> = {};
  const variants = serviceVariants(catalog);
  for (const { name, keyNode, value } of entries(section('services'))) {
    const c = ctx();
    const where = `services.${name}`;
    const kindNode = isMap(value) ? (value.get('kind', true) as Node | undefined) : undefined;
    const kind = isScalar(kindNode) ? String(kindNode.value) : undefined;
    if (!isMap(value)) {
      problems.push({ code: 'wrong-type', message: `${where} must be a mapping with a kind`, ...opt(positionOf(keyNode, c)) });
      continue;
    }
    if (kind === undefined) {
      problems.push({ code: 'missing-key', message: `${where} is missing required key 'kind'`, hint: kindList(variants), ...opt(positionOf(keyNode, c)) });
      continue;
    }
    const variant = variants[kind];
    if (!variant) {
      problems.push({ code: 'bad-value', message: `unknown service kind '${kind}' in ${where}`, hint: didYouMean(kind, Object.keys(variants)) ?? kindList(variants), ...opt(positionOf(kindNode, c)) });
      continue;
    }
    validate(value, variant, where, c);
    serviceRefs[name] = c.refs;
    inputFiles.push(...c.inputFiles);
    const pos = positionOf(keyNode, c);
    services[name] = { name, kind, spec: toPlain(value, doc) as Record<string, unknown>, dependsOn: [], usesPki: [], ...(pos ? { at: pos } : {}) };
  }

  // ---- steps
  const steps: StepDecl[] = [];
  const stepsNode = section('steps');
  const oneStep = stepSchema(catalog);
  const stepKinds = Object.keys(catalog.steps);
  const stepRefs: Reference[] = [];
  if (isSeq(stepsNode)) {
    stepsNode.items.forEach((item, index) => {
      const c = ctx();
      const before = problems.length;
      validate(item as Node, oneStep, `steps[${index}]`, c);
      stepRefs.push(...c.refs);
      inputFiles.push(...c.inputFiles);
      if (problems.length > before || !isMap(item)) return;
      const plain = toPlain(item as Node, doc) as Record<string, unknown>;
      const kind = stepKinds.find((k) => k in plain)!;
      const pos = positionOf(item as Node, c);
      const skip = plain.skip === true ? 'skipped' : typeof plain.skip === 'string' ? plain.skip : undefined;
      const todo = plain.todo === true ? 'expected to fail' : typeof plain.todo === 'string' ? plain.todo : undefined;
      const timeoutMs = plain.timeout === undefined ? undefined : parseDuration(plain.timeout as string | number);
      steps.push({
        index,
        name: typeof plain.name === 'string' ? plain.name : `${kind} (step ${index + 1})`,
        kind,
        spec: plain[kind],
        ...(plain.expect ? { expect: plain.expect as Record<string, unknown> } : {}),
        ...(timeoutMs !== undefined ? { timeoutMs } : {}),
        retries: typeof plain.retries === 'number' ? plain.retries : 0,
        ...(skip ? { skip } : {}),
        ...(plain.skipOn ? { skipOn: plain.skipOn as Record<string, string> } : {}),
        ...(todo ? { todo } : {}),
        ...(typeof plain.gate === 'string' ? { gate: plain.gate } : {}),
        only: plain.only === true,
        usesPki: pkiUsed(c.refs, { spec: plain[kind], expect: plain.expect }, pki),
        ...(pos ? { at: pos } : {}),
      });
    });
  }

  // ---- names become file names (pki/<name>.crt, services/<name>/) and {{name.prop}} roots
  for (const [section, decls] of [['pki', pki], ['services', services]] as const) {
    for (const name of Object.keys(decls)) {
      if (!ITEM_NAME.test(name)) problems.push({ code: 'bad-value', message: `${section} name '${quoteShort(name)}' is not a name: letters, digits, _ and -, starting with a letter or _, at most 64`, hint: 'names become file names and {{name.prop}} references', ...opt(decls[name]!.at) });
    }
  }

  // ---- one namespace: {{name.prop}} must mean one thing
  for (const name of Object.keys(services)) {
    if (name in pki) problems.push({ code: 'duplicate-name', message: `'${name}' names both a PKI item and a service`, hint: 'rename one of them; {{name.prop}} must mean one thing', ...opt(services[name]!.at) });
    if (BUILTIN_ROOTS.includes(name)) problems.push({ code: 'duplicate-name', message: `'${name}' is reserved for {{${name}...}}`, hint: 'choose another name', ...opt(services[name]!.at) });
  }
  for (const name of Object.keys(pki)) if (BUILTIN_ROOTS.includes(name)) problems.push({ code: 'duplicate-name', message: `'${name}' is reserved for {{${name}...}}`, hint: 'choose another name', ...opt(pki[name]!.at) });

  // ---- named references (`issuer: ca`, `to: upstream`)
  const checkRef = (r: Reference) => {
    const names = r.to === 'pki' ? Object.keys(pki) : Object.keys(services);
    if (!names.includes(r.name)) {
      const what = r.to === 'pki' ? 'PKI item' : 'service';
      problems.push({ code: 'unknown-reference', message: `no ${what} named '${r.name}'`, hint: didYouMean(r.name, names) ?? (names.length ? `defined: ${names.join(', ')}` : `declare it under ${r.to === 'pki' ? 'pki' : 'services'}:`), ...opt(r.at) });
      return false;
    }
    return true;
  };
  for (const refs of [...Object.values(pkiRefs), ...Object.values(serviceRefs), stepRefs]) refs.forEach(checkRef);
  if (problems.length === 0) {
    for (const step of steps) {
      const problem = catalog.steps[step.kind]?.checkScenario?.(step.spec as never, pki);
      if (problem) problems.push({ code: 'bad-value', message: `steps[${step.index}] (${step.kind}): ${problem}`, ...opt(step.at) });
    }
  }

  // ---- {{interpolation}}
  const vars = { ...stringMap(toPlain(section('vars'), doc)), ...(options.vars ?? {}) };
  const interpolationDeps: Record<string, Set<string>> = {};
  const checkStrings = (node: Node | null | undefined, owner: { section: 'pki' | 'services' | 'steps'; name?: string }) => {
    if (!node) return;
    visit(node, {
      Scalar(_, scalar) {
        if (typeof scalar.value !== 'string' || !scalar.value.includes('{{')) return;
        const base = (scalar.range?.[0] ?? 0) + (scalar.type === Scalar.QUOTE_DOUBLE || scalar.type === Scalar.QUOTE_SINGLE ? 1 : 0);
        for (const off of findMalformed(scalar.value)) {
          problems.push({ code: 'bad-value', message: `malformed reference: '{{' must be followed by name.property and '}}'`, hint: 'write {{{{ for a literal {{', at: at(base + off) });
        }
        for (const ref of findRefs(scalar.value)) {
          const pos = at(base + ref.offset);
          const fail = (message: string, hint?: string) => problems.push({ code: 'unknown-reference', message, ...(hint ? { hint } : {}), at: pos });
          if (ref.root === 'workDir') {
            if (ref.prop) fail(`{{workDir}} has no properties`);
          } else if (ref.root === 'env') {
            if (!ref.prop) fail(`{{env}} needs a variable name: {{env.NAME}}`);
            else if (options.env[ref.prop] === undefined) fail(`{{env.${ref.prop}}}: environment variable ${ref.prop} is not set`, `export ${ref.prop}=... before the run`);
          } else if (ref.root === 'vars') {
            if (!ref.prop) fail(`{{vars}} needs a name: {{vars.NAME}}`);
            else if (!(ref.prop in vars)) fail(`{{vars.${ref.prop}}} is not defined`, didYouMean(ref.prop, Object.keys(vars)) ?? `set it under vars: or with --var ${ref.prop}=VALUE`);
          } else if (ref.root in pki) {
            const props = catalog.pki[pki[ref.root]!.kind]!.properties;
            if (!ref.prop) fail(`{{${ref.root}}} needs a property, e.g. {{${ref.root}.certFile}}`);
            else if (!props.includes(ref.prop)) fail(`PKI item '${ref.root}' has no property '${ref.prop}'`, didYouMean(ref.prop, props) ?? oneOf(props));
            else if (owner.section === 'pki' && owner.name === ref.root) fail(`pki.${ref.root} refers to itself`);
          } else if (ref.root in services) {
            const kind = catalog.services[services[ref.root]!.kind];
            const props = kind?.properties ?? [];
            const early = kind?.addressProperties ?? [];
            if (!ref.prop) fail(`{{${ref.root}}} needs a property, e.g. {{${ref.root}.url}}`);
            else if (!props.includes(ref.prop)) fail(`service '${ref.root}' has no property '${ref.prop}'`, didYouMean(ref.prop, props) ?? oneOf(props));
            else if (owner.section === 'pki' && !early.includes(ref.prop)) {
              fail(`pki.${owner.name} cannot use {{${ref.expr}}}: the PKI is made before the services start`, early.length ? `of service '${ref.root}', the PKI can use ${early.map((p) => `{{${ref.root}.${p}}}`).join(', ')}: its ports are reserved first` : `a ${services[ref.root]!.kind} service's address is known only once it starts`);
            }
            else if (owner.section === 'services' && owner.name) (interpolationDeps[owner.name] ??= new Set()).add(ref.root);
          } else {
            const known = [...Object.keys(pki), ...Object.keys(services), ...BUILTIN_ROOTS];
            fail(`unknown reference {{${ref.expr}}}: nothing is named '${ref.root}'`, didYouMean(ref.root, known) ?? `known names: ${known.join(', ')}`);
          }
        }
      },
    });
  };
  for (const { name, value } of entries(section('pki'))) checkStrings(value, { section: 'pki', name });
  for (const { name, value } of entries(section('services'))) checkStrings(value, { section: 'services', name });
  checkStrings(stepsNode, { section: 'steps' });

  // ---- input files
  const dir = dirname(resolve(file));
  for (const f of inputFiles) {
    if (!existsSync(resolve(dir, f.path))) problems.push({ code: 'missing-file', message: `file not found: ${f.path}`, hint: 'relative paths resolve against the scenario file', ...opt(f.at) });
  }

  // ---- dependency order: PKI issuers (an item naming itself as issuer is self-signed), and services that use other services
  const pkiGraph = Object.fromEntries(Object.entries(pkiRefs).map(([n, refs]) => [n, refs.filter((r) => r.to === 'pki' && r.name in pki && r.name !== n).map((r) => r.name)]));
  reportCycle(pkiGraph, 'pki', pki, problems);
  for (const [name, decl] of Object.entries(services)) {
    const deps = new Set((serviceRefs[name] ?? []).filter((r) => r.to === 'service' && r.name in services).map((r) => r.name));
    for (const d of interpolationDeps[name] ?? []) deps.add(d);
    if (deps.delete(name)) problems.push({ code: 'dependency-cycle', message: `service ${name} uses itself: a service cannot start after itself`, ...opt(decl.at) });
    decl.dependsOn = [...deps];
    decl.usesPki = pkiUsed(serviceRefs[name] ?? [], decl.spec, pki);
  }
  const serviceGraph = Object.fromEntries(Object.entries(services).map(([n, d]) => [n, d.dependsOn]));
  const serviceOrder = reportCycle(serviceGraph, 'services', services, problems);

  if (problems.length) return { problems: capProblems(sortProblems(problems)), source: text };
  const plainTop = toPlain(root, doc) as Record<string, unknown>;
  return {
    problems: [],
    source: text,
    scenario: {
      file,
      dir,
      title: String(plainTop.scenario),
      ...(plainTop.source !== undefined ? { source: String(plainTop.source) } : {}),
      ...(typeof plainTop.description === 'string' ? { description: plainTop.description } : {}),
      tags: Array.isArray(plainTop.tags) ? plainTop.tags.map(String) : [],
      requires: Array.isArray(plainTop.requires) ? plainTop.requires.map(String) : [],
      vars,
      pki,
      services,
      serviceOrder,
      steps,
    },
  };
}

/** A hint naming the valid values: all of a short list, the first of a long one (a catalogue service has a property per case). */
function oneOf(values: readonly string[]): string {
  const MAX = 16;
  return values.length <= MAX ? `one of ${values.join(', ')}` : `one of ${values.slice(0, MAX).join(', ')}... (${values.length} in all: certharness reference)`;
}

function kindList(variants: Record<string, unknown>): string {
  const kinds = Object.keys(variants);
  return kinds.length ? `one of ${kinds.join(', ')}` : 'no service kinds are available in this build';
}

function opt(at: SourcePosition | undefined): { at?: SourcePosition } {
  return at ? { at } : {};
}

function toPlain(node: Node | null | undefined, doc: Document): unknown {
  if (node === null || node === undefined) return undefined;
  return node.toJS(doc, { maxAliasCount: 100 });
}

function stringMap(v: unknown): Record<string, string> {
  if (!v || typeof v !== 'object') return {};
  return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, String(x)]));
}

/** Topological order of a graph; its first cycle, if any, becomes a problem with its path. */
function reportCycle(graph: Record<string, string[]>, section: string, decls: Record<string, { at?: SourcePosition }>, problems: Problem[]): string[] {
  const { order, cycle } = dependencyOrder(graph);
  if (cycle) problems.push({ code: 'dependency-cycle', message: `${section === 'pki' ? 'PKI items' : 'services'} depend on each other in a cycle: ${cycle.join(' -> ')}`, ...opt(decls[cycle[0]!]?.at) });
  return order;
}

/** A file with a million faults gets the first ones and a count: enough to fix, and a report that stays readable. */
const MAX_PROBLEMS = 50;
/** A message quotes the input; a 10 KB reference is shown by its start. */
const MAX_MESSAGE = 300;
function capProblems(all: Problem[]): Problem[] {
  const problems = all.map((p) => (p.message.length > MAX_MESSAGE ? { ...p, message: `${p.message.slice(0, MAX_MESSAGE)}…` } : p));
  if (problems.length <= MAX_PROBLEMS) return problems;
  const last = problems[MAX_PROBLEMS - 1]!;
  return [...problems.slice(0, MAX_PROBLEMS), { code: problems[MAX_PROBLEMS]!.code, message: `and ${problems.length - MAX_PROBLEMS} more problems like these`, ...(last.at ? { at: last.at } : {}) }];
}

function sortProblems(problems: Problem[]): Problem[] {
  return [...problems].sort((a, b) => (a.at?.line ?? 0) - (b.at?.line ?? 0) || (a.at?.col ?? 0) - (b.at?.col ?? 0));
}

/** The yaml package's codes, in words a scenario author understands. */
function yamlMessage(code: string, message: string): string {
  const first = message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  switch (code) {
    case 'DUPLICATE_KEY':
      return 'duplicate key: each key may appear once in a mapping';
    case 'TAB_AS_INDENT':
      return 'tabs are not allowed for indentation in YAML: use spaces';
    case 'BLOCK_AS_IMPLICIT_KEY':
      return `YAML syntax: a value contains ': ', which starts a nested mapping here; put the value in quotes`;
    default:
      return `YAML syntax: ${first}`;
  }
}

/** The PKI items a step or service uses: named in a `ref: 'pki'` field, or in a {{reference}}. */
function pkiUsed(refs: Reference[], value: unknown, pki: Record<string, PkiItemDecl>): string[] {
  const named = refs.filter((r) => r.to === 'pki').map((r) => r.name);
  const referenced = findRefs(JSON.stringify(value) ?? '').map((r) => r.root).filter((root) => root in pki);
  return [...new Set([...named, ...referenced])];
}
