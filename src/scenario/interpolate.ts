// `{{name.prop}}` references inside scenario strings.
//
// Roots: a PKI item (`{{client.certFile}}`), a service (`{{upstream.url}}`), `env.NAME`,
// `vars.NAME`, and `workDir`. Load time checks that every reference can be resolved;
// run time substitutes the values. `{{{{` writes a literal `{{`.

export interface RefUse {
  /** The text inside the braces, trimmed: "client.certFile". */
  expr: string;
  root: string;
  prop?: string;
  /** Offset of `{{` within the string. */
  offset: number;
}

const REF = /\{\{\{\{|\{\{\s*([A-Za-z_][\w-]*)(?:\.([A-Za-z_][\w.-]*))?\s*\}\}/g;

export function findRefs(text: string): RefUse[] {
  const out: RefUse[] = [];
  for (const m of text.matchAll(REF)) {
    if (m[0] === '{{{{') continue;
    out.push({ expr: m[0].slice(2, -2).trim(), root: m[1]!, ...(m[2] ? { prop: m[2] } : {}), offset: m.index });
  }
  return out;
}

/** Finds `{{` that does not form a valid reference, so a typo like `{{ client certFile}}` is reported. */
export function findMalformed(text: string): number[] {
  const ok = new Set<number>();
  for (const m of text.matchAll(REF)) {
    ok.add(m.index);
    if (m[0] === '{{{{') ok.add(m.index + 2);
  }
  const bad: number[] = [];
  for (let i = text.indexOf('{{'); i !== -1; i = text.indexOf('{{', i + 2)) if (!ok.has(i)) bad.push(i);
  return bad;
}

export type Scope = (root: string, prop: string | undefined) => string | number | boolean | undefined;

export class UnresolvedReferenceError extends Error {
  readonly expr: string;
  constructor(expr: string) {
    super(`{{${expr}}} has no value at this point of the run`);
    this.expr = expr;
    this.name = 'UnresolvedReferenceError';
  }
}

/** Replaces each reference with what `replace` makes of its value (and where it stands); `{{{{` becomes `{{`. */
export function replaceRefs(text: string, scope: Scope, replace: (value: string, offset: number) => string): string {
  return text.replace(REF, (whole, root: string | undefined, prop: string | undefined, offset: number) => {
    if (whole === '{{{{') return '{{';
    const value = scope(root!, prop);
    if (value === undefined) throw new UnresolvedReferenceError(prop ? `${root}.${prop}` : root!);
    return replace(String(value), offset);
  });
}

export function interpolateString(text: string, scope: Scope): string {
  return replaceRefs(text, scope, (value) => value);
}

/** Deep copy of a plain value with every string interpolated. */
export function interpolate<T>(value: T, scope: Scope): T {
  if (typeof value === 'string') return interpolateString(value, scope) as T;
  if (Array.isArray(value)) return value.map((v) => interpolate(v, scope)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, scope)])) as T;
  }
  return value;
}
