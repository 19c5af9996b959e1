// Turns an expectation and a step's plain-data result into assertions. Pure: no I/O.
import { check, isMatcherObject, isPlainObject, show, type Assertion } from './match.ts';
import { checkRefused } from './refusal.ts';

export { check, isMatcherObject, show, type Assertion };

/** Top-level fields judged as a whole rather than matched field by field. */
const JUDGED: Record<string, (want: unknown, result: Record<string, unknown>) => Assertion> = { refused: checkRefused };

export function evaluate(expect: Record<string, unknown>, result: Record<string, unknown>): Assertion[] {
  const out: Assertion[] = [];
  for (const [key, want] of Object.entries(expect)) {
    if (JUDGED[key]) out.push(JUDGED[key](want, result));
    else walk({ [key]: want }, result, '', out);
  }
  return out;
}

function walk(expect: Record<string, unknown>, actual: unknown, prefix: string, out: Assertion[]): void {
  for (const [key, want] of Object.entries(expect)) {
    const path = prefix ? `${prefix}.${key}` : key;
    const value = isPlainObject(actual) ? actual[key] : undefined;
    if (isPlainObject(want) && !isMatcherObject(want)) {
      if (!isPlainObject(value) && value !== undefined) {
        out.push({ path, ok: false, expected: 'a group of fields', actual: value, message: `${path}: expected a group of fields, got ${show(value)}` });
        continue;
      }
      walk(want, value, path, out);
      continue;
    }
    out.push(check(path, want, value));
  }
}

