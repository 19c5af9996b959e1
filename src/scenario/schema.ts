// One description of the scenario format, two uses: `validate` checks a YAML node tree and
// reports problems with positions, `toJsonSchema` emits the JSON Schema that editors use.
// Both read the same objects, so the published schema cannot drift from the validator.
import { isMap, isScalar, isSeq, isAlias, isPair, type Node, type LineCounter, Scalar } from 'yaml';
import type { Problem, SourcePosition } from './problem.ts';
import { didYouMean, closest } from './suggest.ts';
import { parseDuration, formatDuration, MAX_WAIT_MS } from './duration.ts';

interface NumberSchema {
  type: 'number' | 'integer';
  description?: string;
  minimum?: number;
  maximum?: number;
}

export type Schema =
  | {
      type: 'string';
      description?: string;
      enum?: readonly string[];
      pattern?: string;
      examples?: string[];
      /** The value names another item of the scenario: checked at load time, and a dependency. */
      ref?: 'pki' | 'service';
      /** The value is a path to an existing input file, relative to the scenario file. */
      inputFile?: boolean;
      /** A check of the literal value (not run on values with {{references}}): a problem message, or undefined. */
      check?: (value: string) => string | undefined;
    }
  | NumberSchema
  | { type: 'boolean'; description?: string }
  | { type: 'null'; description?: string }
  | { type: 'array'; description?: string; items: Schema; minItems?: number }
  | {
      type: 'object';
      description?: string;
      properties: Record<string, Schema>;
      required?: readonly string[];
      /** When set, keys not listed in `properties` are allowed and must match this schema (a map). */
      additional?: Schema;
      /**
       * Rules that join several fields (notAfter after notBefore), run on the plain value once
       * its fields are valid and free of {{references}}: each finding names its key.
       */
      check?: ObjectCheck;
    }
  | {
      /** A mapping with exactly one of several tag keys, whose shape depends on that tag (the step kinds). */
      type: 'tagged';
      description?: string;
      /** What the tagged thing is called in messages ("step kind"). */
      tagName: string;
      variants: Record<string, Extract<Schema, { type: 'object' }>>;
    }
  | { type: 'anyOf'; description?: string; options: Schema[] }
  | { type: 'any'; description?: string };

export type ObjectCheck = (value: Record<string, unknown>) => { key?: string; message: string }[];

// ---- builders, so schemas read like the format they describe ----
//
// Each builder's result also carries, in its type only, the TypeScript type of the values it
// accepts: `Infer<typeof schema>` is the spec type of a kind, so the schema the loader checks
// and the type the code reads are one declaration.

declare const VALUE: unique symbol;
/** A schema whose accepted values have type T (a phantom: nothing of it exists at run time). */
export type Typed<T, S extends Schema = Schema> = S & { readonly [VALUE]?: T };
/** The type of the values a schema accepts. */
export type Infer<S> = S extends { readonly [VALUE]?: infer T } ? T : unknown;
type ObjectSchema = Extract<Schema, { type: 'object' }>;
type Simplify<T> = { [K in keyof T]: T[K] } & {};
/** A mapping of these fields: the required ones present, the others optional. */
export type ObjectOf<P extends Record<string, Schema>, R extends keyof P> = Simplify<{ [K in R]: Infer<P[K]> } & { [K in Exclude<keyof P, R>]?: Infer<P[K]> }>;

type Opt<T> = Omit<T, 'type'>;
interface ObjectOptions<R> {
  description?: string;
  required?: readonly R[];
  additional?: Schema;
  check?: ObjectCheck;
}
const described = (description?: string) => (description ? { description } : {});

export const s = {
  string: (o: Opt<Extract<Schema, { type: 'string' }>> = {}): Typed<string> => ({ type: 'string', ...o }),
  number: (o: Opt<NumberSchema> = {}): Typed<number> => ({ type: 'number', ...o }),
  integer: (o: Opt<NumberSchema> = {}): Typed<number> => ({ type: 'integer', ...o }),
  boolean: (description?: string): Typed<boolean> => ({ type: 'boolean', ...described(description) }),
  enum: <const V extends readonly string[]>(values: V, description?: string): Typed<V[number]> => ({ type: 'string', enum: values, ...described(description) }),
  array: <S extends Schema>(items: S, o: { description?: string; minItems?: number } = {}): Typed<Infer<S>[]> => ({ type: 'array', items, ...o }),
  object: <P extends Record<string, Schema>, R extends keyof P & string = never>(properties: P, o: ObjectOptions<R> = {}): Typed<ObjectOf<P, R>, ObjectSchema> => ({
    type: 'object',
    properties,
    ...o,
  }),
  tagged: (tagName: string, variants: Record<string, ObjectSchema>, description?: string): Typed<Record<string, unknown>> => ({
    type: 'tagged',
    tagName,
    variants,
    ...described(description),
  }),
  map: <S extends Schema>(values: S, description?: string): Typed<Record<string, Infer<S>>, ObjectSchema> => ({ type: 'object', properties: {}, additional: values, ...described(description) }),
  anyOf: <const O extends readonly Schema[]>(options: O, description?: string): Typed<Infer<O[number]>> => ({ type: 'anyOf', options: [...options], ...described(description) }),
  any: (description?: string): Typed<unknown> => ({ type: 'any', ...described(description) }),
  describe: <S extends Schema>(schema: S, description: string): S => ({ ...schema, description }),
};

/** A string, or a list of strings: command lines, SAN lists and the like. */
export const stringOrList = (description?: string): Typed<string | string[]> => s.anyOf([s.string(), s.array(s.string())], description);

/**
 * A duration: a number of milliseconds, or a string like "500ms", "2s", "1m", "61d". Waits
 * (timeouts, sleeps) are at most a day by default; spans of time (a clock move, a validity)
 * pass their own bound.
 */
export const duration = (description?: string, maxMs: number = MAX_WAIT_MS): Typed<number | string> =>
  s.anyOf(
    [
      s.number({ minimum: 0, maximum: maxMs }),
      s.string({
        pattern: '^\\s*\\d+(\\.\\d+)?\\s*(ms|s|m|h|d)\\s*$',
        examples: ['500ms', '2s', '1m'],
        check: (v) => ((parseDuration(v) ?? 0) > maxMs ? `is longer than the limit of ${formatDuration(maxMs)}` : undefined),
      }),
    ],
    description,
  );

// ---------------------------------------------------------------- validation

export interface Reference {
  to: 'pki' | 'service';
  name: string;
  at?: SourcePosition;
}

export interface InputFileUse {
  path: string;
  at?: SourcePosition;
}

export interface ValidationContext {
  file: string;
  lines: LineCounter;
  problems: Problem[];
  /** Filled while validating: names this node refers to (`ref` strings). */
  refs: Reference[];
  /** Filled while validating: input files this node names (`inputFile` strings). */
  inputFiles: InputFileUse[];
}

export function positionOf(node: { range?: [number, number, number] | null } | null | undefined, ctx: ValidationContext): SourcePosition | undefined {
  if (!node?.range) return undefined;
  const { line, col } = ctx.lines.linePos(node.range[0]);
  return { file: ctx.file, line, col };
}

function nodeKind(node: Node | null): string {
  if (node === null) return 'null';
  if (isMap(node)) return 'object';
  if (isSeq(node)) return 'array';
  if (isScalar(node)) {
    const v = node.value;
    if (v === null) return 'null';
    if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
    if (typeof v === 'bigint') return 'integer';
    return typeof v; // string | boolean
  }
  return 'unknown';
}

function typeName(schema: Schema): string {
  switch (schema.type) {
    case 'anyOf':
      return [...new Set(schema.options.map(typeName))].join(' or ');
    case 'object':
    case 'tagged':
      return 'a mapping';
    case 'array':
      return 'a list';
    case 'string':
      return schema.enum ? `one of ${schema.enum.join(', ')}` : 'a string';
    case 'integer':
      return 'a whole number';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'true or false';
    case 'null':
      return 'nothing';
    case 'any':
      return 'anything';
  }
}

function matchesType(schema: Schema, kind: string): boolean {
  switch (schema.type) {
    case 'any':
      return true;
    case 'anyOf':
      return schema.options.some((o) => matchesType(o, kind));
    case 'number':
      return kind === 'number' || kind === 'integer';
    case 'tagged':
      return kind === 'object';
    default:
      return schema.type === kind;
  }
}

/** Validates `node` against `schema`, appending problems to ctx. `where` names the node for messages. */
export function validate(node: Node | null, schema: Schema, where: string, ctx: ValidationContext): void {
  if (node && isAlias(node)) return; // anchors and aliases are resolved by the YAML library; the anchor itself was checked
  const kind = nodeKind(node);
  const at = positionOf(node, ctx);
  const problem = (code: Problem['code'], message: string, hint?: string, pos = at): void => {
    ctx.problems.push({ code, message, ...(pos ? { at: pos } : {}), ...(hint ? { hint } : {}) });
  };

  if (schema.type === 'any') return;
  if (schema.type === 'anyOf') {
    const candidates = schema.options.filter((o) => matchesType(o, kind));
    if (candidates.length === 0) return problem('wrong-type', `${where} must be ${typeName(schema)}, not ${describeKind(kind)}`);
    // Several options of the same shape: keep the one that fits best.
    let best: ValidationContext | undefined;
    for (const option of candidates) {
      const trial: ValidationContext = { ...ctx, problems: [], refs: [], inputFiles: [] };
      validate(node, option, where, trial);
      if (!best || trial.problems.length < best.problems.length) best = trial;
      if (best.problems.length === 0) break;
    }
    ctx.problems.push(...best!.problems);
    ctx.refs.push(...best!.refs);
    ctx.inputFiles.push(...best!.inputFiles);
    return;
  }
  if (!matchesType(schema, kind)) {
    return problem('wrong-type', `${where} must be ${typeName(schema)}, not ${describeKind(kind)}`);
  }
  switch (schema.type) {
    case 'string': {
      const value = String((node as Scalar).value);
      if (schema.ref) ctx.refs.push({ to: schema.ref, name: value, ...(at ? { at } : {}) });
      if (schema.inputFile && !value.includes('{{')) ctx.inputFiles.push({ path: value, ...(at ? { at } : {}) });
      if (schema.enum && !schema.enum.includes(value)) {
        problem('bad-value', `${where} must be one of ${schema.enum.join(', ')}, not '${quoteShort(value)}'`, didYouMean(value.slice(0, 100), schema.enum));
      } else if (schema.pattern && !new RegExp(schema.pattern).test(value)) {
        problem('bad-value', `${where} has an unexpected form: '${quoteShort(value)}'`, schema.examples ? `for example ${schema.examples.join(', ')}` : undefined);
      } else if (schema.check && !value.includes('{{')) {
        const wrong = schema.check(value);
        if (wrong) problem('bad-value', `${where} ${wrong}`);
      }
      return;
    }
    case 'number':
    case 'integer': {
      const value = Number((node as Scalar).value);
      if (!Number.isFinite(value)) return problem('bad-value', `${where} must be a finite number, not ${value}`);
      if (schema.minimum !== undefined && value < schema.minimum) problem('bad-value', `${where} must be at least ${schema.minimum}, not ${value}`);
      if (schema.maximum !== undefined && value > schema.maximum) problem('bad-value', `${where} must be at most ${schema.maximum}, not ${value}`);
      return;
    }
    case 'array': {
      const items = isSeq(node) ? node.items : [];
      if (schema.minItems !== undefined && items.length < schema.minItems) problem('bad-value', `${where} needs at least ${schema.minItems} item(s)`);
      items.forEach((item, i) => validate(item as Node | null, schema.items, `${where || 'the list'}[${i}]`, ctx));
      return;
    }
    case 'object': {
      if (!isMap(node)) return;
      const problemsBefore = ctx.problems.length;
      const seen = new Set<string>();
      // A misspelt required key is reported once, as the misspelling, not also as missing.
      const suggested = new Set<string>();
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const keyNode = pair.key as Node | null;
        const key = isScalar(keyNode) ? String(keyNode.value) : String(keyNode);
        const keyAt = positionOf(keyNode, ctx) ?? at;
        seen.add(key);
        const sub = schema.properties[key] ?? schema.additional;
        if (!sub) {
          const near = closest(key, Object.keys(schema.properties));
          if (near) suggested.add(near);
          problem('unknown-key', `unknown key '${key}' ${where ? `in ${where}` : 'at the top level'}`, near ? `did you mean '${near}'?` : `expected one of ${Object.keys(schema.properties).join(', ')}`, keyAt);
          continue;
        }
        validate(pair.value as Node | null, sub, where ? `${where}.${key}` : key, ctx);
      }
      for (const req of schema.required ?? []) {
        if (!seen.has(req) && !suggested.has(req)) problem('missing-key', `${where || 'the file'} is missing required key '${req}'`);
      }
      if (schema.check && ctx.problems.length === problemsBefore) {
        const plain = node.toJSON() as Record<string, unknown>;
        if (!JSON.stringify(plain).includes('{{')) {
          for (const f of schema.check(plain)) {
            const pair = f.key ? node.items.find((p) => isScalar(p.key) && p.key.value === f.key) : undefined;
            problem('bad-value', `${where}${f.key ? `.${f.key}` : ''} ${f.message}`, undefined, positionOf((pair?.value ?? pair?.key) as Node | undefined, ctx) ?? at);
          }
        }
      }
      return;
    }
    case 'tagged': {
      if (!isMap(node)) return;
      const tags = Object.keys(schema.variants);
      const keys = node.items.filter(isPair).map((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)));
      const present = keys.filter((k) => tags.includes(k));
      if (present.length > 1) return problem('bad-value', `${where} has more than one ${schema.tagName} (${present.join(', ')}): split it into separate entries`);
      if (present.length === 1) return validate(node, schema.variants[present[0]!]!, where, ctx);
      // No tag: the likeliest cause is a misspelt one, so point at the key that is closest to a tag.
      const shared = new Set(Object.keys(Object.values(schema.variants)[0]?.properties ?? {}));
      for (const pair of node.items.filter(isPair)) {
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        if (shared.has(key)) continue;
        const hint = didYouMean(key, tags);
        if (hint) return problem('step-kind', `unknown ${schema.tagName} '${key}' in ${where}`, hint, positionOf(pair.key as Node, ctx) ?? at);
      }
      return problem('missing-key', `${where} needs a ${schema.tagName}: one of ${tags.join(', ')}`);
    }
  }
}

/** A value as a message shows it: long ones are cut, so a 10 MiB string makes a short line. */
export function quoteShort(value: string, max = 60): string {
  const flat = value.replace(/[\u0000-\u001f\u007f]/g, '?');
  return flat.length > max ? `${flat.slice(0, max)}… (${value.length} characters)` : flat;
}

function describeKind(kind: string): string {
  return kind === 'object' ? 'a mapping' : kind === 'array' ? 'a list' : kind === 'null' ? 'an empty value' : kind === 'integer' ? 'a whole number' : `a ${kind}`;
}

// ---------------------------------------------------------------- JSON Schema

export function toJsonSchema(schema: Schema): Record<string, unknown> {
  const d = schema.description ? { description: schema.description } : {};
  switch (schema.type) {
    case 'any':
      return { ...d };
    case 'anyOf':
      return { ...d, anyOf: schema.options.map(toJsonSchema) };
    case 'string':
      return { type: 'string', ...d, ...(schema.enum ? { enum: [...schema.enum] } : {}), ...(schema.pattern ? { pattern: schema.pattern } : {}), ...(schema.examples ? { examples: schema.examples } : {}) };
    case 'number':
    case 'integer':
      return { type: schema.type, ...d, ...(schema.minimum !== undefined ? { minimum: schema.minimum } : {}), ...(schema.maximum !== undefined ? { maximum: schema.maximum } : {}) };
    case 'boolean':
    case 'null':
      return { type: schema.type, ...d };
    case 'array':
      return { type: 'array', ...d, items: toJsonSchema(schema.items), ...(schema.minItems !== undefined ? { minItems: schema.minItems } : {}) };
    case 'object': {
      const properties = Object.fromEntries(Object.entries(schema.properties).map(([k, v]) => [k, toJsonSchema(v)]));
      const base: Record<string, unknown> = {
        type: 'object',
        ...d,
        ...(Object.keys(properties).length ? { properties } : {}),
        ...(schema.required?.length ? { required: [...schema.required] } : {}),
        additionalProperties: schema.additional ? toJsonSchema(schema.additional) : false,
      };
      return base;
    }
    case 'tagged':
      return { ...d, anyOf: Object.values(schema.variants).map(toJsonSchema) };
  }
}

type JsonSchema = Record<string, unknown>;

/** The subschemas of a JSON Schema node, by where they sit: anyOf, items, properties, additionalProperties. */
function mapSubschemas(node: JsonSchema, f: (child: JsonSchema) => JsonSchema): JsonSchema {
  const out: JsonSchema = { ...node };
  if (Array.isArray(node.anyOf)) out.anyOf = (node.anyOf as JsonSchema[]).map(f);
  if (node.items && typeof node.items === 'object') out.items = f(node.items as JsonSchema);
  if (node.properties) out.properties = Object.fromEntries(Object.entries(node.properties as Record<string, JsonSchema>).map(([k, v]) => [k, f(v)]));
  if (node.additionalProperties && typeof node.additionalProperties === 'object') out.additionalProperties = f(node.additionalProperties as JsonSchema);
  return out;
}

/**
 * Moves every subschema of at least `minChars` that occurs more than once into `$defs`, and
 * refers to it with `$ref`: the expect matchers repeat for every field of every step kind, and
 * an editor should not have to load each copy. Same meaning, a fraction of the size.
 */
export function shareRepeatedSubschemas(root: JsonSchema, minChars = 200): JsonSchema {
  const counts = new Map<string, number>();
  const count = (node: JsonSchema): void => {
    const key = JSON.stringify(node);
    if (key.length >= minChars) counts.set(key, (counts.get(key) ?? 0) + 1);
    mapSubschemas(node, (child) => (count(child), child));
  };
  mapSubschemas(root, (child) => (count(child), child));
  const names = new Map<string, string>();
  const defs: Record<string, JsonSchema> = {};
  // Outermost first: a shared subtree's own repeats are shared inside its definition.
  const share = (node: JsonSchema): JsonSchema => {
    const key = JSON.stringify(node);
    if ((counts.get(key) ?? 0) < 2) return mapSubschemas(node, share);
    let name = names.get(key);
    if (!name) {
      name = `shared${names.size + 1}`;
      names.set(key, name);
      defs[name] = mapSubschemas(node, share);
    }
    return { $ref: `#/$defs/${name}` };
  };
  const shared = mapSubschemas(root, share);
  return Object.keys(defs).length ? { ...shared, $defs: defs } : shared;
}
