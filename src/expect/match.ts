// One matcher applied to one value: `equals`, `contains`, `lt`... Pure: no I/O.
import { MATCHER_KEYS } from './vocabulary.ts';
import { compilePattern } from '../scenario/pattern.ts';
import { isDeepStrictEqual } from 'node:util';

export interface Assertion {
  /** Dotted path into the result, e.g. "stdout" or "tls.alert". */
  path: string;
  ok: boolean;
  /** What was expected, as written by a person: `contains "hello"`. */
  expected: string;
  /** What was there (truncated for display). */
  actual: unknown;
  message: string;
}

const MATCHERS = new Set<string>(MATCHER_KEYS);

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function isMatcherObject(v: unknown): v is Record<string, unknown> {
  return isPlainObject(v) && Object.keys(v).length > 0 && Object.keys(v).every((k) => MATCHERS.has(k));
}

export function check(path: string, want: unknown, value: unknown): Assertion {
  const checks = isMatcherObject(want) ? Object.entries(want) : [['equals', want] as [string, unknown]];
  const failures: string[] = [];
  const described: string[] = [];
  for (const [op, arg] of checks) {
    const r = apply(op, arg, value);
    described.push(r.description);
    if (!r.ok) failures.push(r.description);
  }
  const expected = described.join(' and ');
  const ok = failures.length === 0;
  return {
    path,
    ok,
    expected,
    actual: truncate(value),
    message: ok ? `${path} ${expected}` : `${path}: expected ${failures.join(' and ')}, got ${show(value)}`,
  };
}

interface Outcome {
  ok: boolean;
  description: string;
}

function looselyEqual(a: unknown, b: unknown): boolean {
  if (isDeepStrictEqual(a, b)) return true;
  // Lists compare by their items, whatever Array subclass a library returned.
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => looselyEqual(x, b[i]));
  // YAML writes `status: 200` and `serial: 01`: compare scalars by their text when the types differ.
  const scalar = (x: unknown) => typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean' || typeof x === 'bigint';
  return scalar(a) && scalar(b) && String(a) === String(b);
}

function apply(op: string, arg: unknown, value: unknown): Outcome {
  switch (op) {
    case 'equals':
      return { ok: looselyEqual(value, arg), description: `equals ${show(arg)}` };
    case 'oneOf': {
      const list = Array.isArray(arg) ? arg : [arg];
      return { ok: list.some((x) => looselyEqual(value, x)), description: `one of ${list.map(show).join(', ')}` };
    }
    case 'exists': {
      const present = value !== undefined && value !== null;
      return { ok: present === Boolean(arg), description: arg ? 'to be present' : 'to be absent' };
    }
    case 'contains': {
      const ok = Array.isArray(value) ? value.some((x) => looselyEqual(x, arg)) : typeof value === 'string' && value.includes(String(arg));
      return { ok, description: `contains ${show(arg)}` };
    }
    case 'matches': {
      const ok = typeof value === 'string' && compilePattern(String(arg)).test(value);
      return { ok, description: `matches ${String(arg)}` };
    }
    case 'lt':
    case 'lte':
    case 'gt':
    case 'gte': {
      const n = typeof value === 'number' ? value : Number.NaN;
      const b = Number(arg);
      const ok = op === 'lt' ? n < b : op === 'lte' ? n <= b : op === 'gt' ? n > b : n >= b;
      const word = { lt: '<', lte: '<=', gt: '>', gte: '>=' }[op];
      return { ok, description: `${word} ${b}` };
    }
    case 'length': {
      const len = typeof value === 'string' || Array.isArray(value) ? value.length : undefined;
      const inner = check('length', arg, len);
      return { ok: len !== undefined && inner.ok, description: `length ${inner.expected}` };
    }
    case 'not': {
      // Absence is not the opposite of anything: "httpStatus not < 400" needs a status.
      // `exists: false` states absence.
      const inner = check('', arg, value);
      const aboutPresence = isMatcherObject(arg) && 'exists' in arg;
      return { ok: (value !== undefined || aboutPresence) && !inner.ok, description: value === undefined && !aboutPresence ? `not ${inner.expected} (which needs a value)` : `not ${inner.expected}` };
    }
    default:
      return { ok: false, description: `unknown matcher ${op}` };
  }
}

const LIMIT = 400;
function truncate(v: unknown): unknown {
  if (typeof v === 'string' && v.length > LIMIT) return `${v.slice(0, LIMIT)}… (${v.length} chars)`;
  return v;
}

export function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  const text = typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v) ?? String(v);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
