// The shared `expect` vocabulary. Every step kind describes its result's fields with these
// schemas; `evaluate` (evaluate.ts) turns a result and an expectation into assertions.
//
//   expect:
//     exit: 0                          # a bare value means "equals"
//     stdout: { contains: "hello" }
//     stderr: { not: { matches: "error|fatal" } }
//     durationMs: { lt: 2000 }
//     tls: { protocol: { oneOf: [TLSv1.2, TLSv1.3] } }   # nested fields
import { s, type Schema } from '../scenario/schema.ts';
import { patternProblem } from '../scenario/pattern.ts';

export const MATCHER_KEYS = ['equals', 'contains', 'matches', 'not', 'lt', 'lte', 'gt', 'gte', 'exists', 'oneOf', 'length'] as const;
export type MatcherKey = (typeof MATCHER_KEYS)[number];

export type ValueType = 'string' | 'number' | 'boolean' | 'any';

function scalar(t: ValueType): Schema {
  if (t === 'any') return s.any();
  return t === 'number' ? s.number() : t === 'string' ? s.anyOf([s.string(), s.number(), s.boolean()]) : s.boolean();
}

function matcherObject(t: ValueType, withNot: boolean): Schema {
  const props: Record<string, Schema> = {
    equals: s.describe(scalar(t === 'string' ? 'any' : t), 'the value equals this (deep equality for lists and mappings)'),
    oneOf: s.array(s.any(), { description: 'the value equals one of these' }),
    exists: s.boolean('true: the field is present and not null; false: absent'),
  };
  if (t === 'string' || t === 'any') {
    props.contains = s.describe(s.anyOf([s.string(), s.number(), s.boolean()]), 'the text contains this substring (or the list contains this item)');
    props.matches = s.string({ description: 'the text matches this regular expression (RE2 syntax, matched in linear time: JavaScript\'s without lookaround or backreferences; write /re/i, /re/m, /re/s for flags)', check: patternProblem });
    props.length = s.describe(s.anyOf([s.integer({ minimum: 0 }), s.object({ lt: s.number(), lte: s.number(), gt: s.number(), gte: s.number(), equals: s.number() })]), 'length of the text or list');
  }
  if (t === 'number' || t === 'any') {
    props.lt = s.number({ description: 'less than' });
    props.lte = s.number({ description: 'less than or equal' });
    props.gt = s.number({ description: 'greater than' });
    props.gte = s.number({ description: 'greater than or equal' });
  }
  if (withNot) props.not = s.describe(s.anyOf([scalar(t), matcherObject(t, false)]), 'the opposite of the matcher inside');
  return s.object(props);
}

declare const RESULT: unique symbol;
/**
 * The schema of what `expect` may say about a result field, carrying (in its type only) the
 * type of the field's values: a step kind's result type is read from its `expect` declaration.
 */
export type ResultField<T> = Schema & { readonly [RESULT]?: T };
/** The result fields a kind declares in `expect`, each optional. */
export type ResultOf<E> = { [K in keyof E]?: E[K] extends { readonly [RESULT]?: infer T } ? T : unknown };
type ValueOf<T extends ValueType> = T extends 'string' ? string : T extends 'number' ? number : T extends 'boolean' ? boolean : unknown;

/** A field that can be compared: a bare value (equals) or a matcher mapping. */
export function matcher<T extends ValueType>(t: T, description?: string): ResultField<ValueOf<T>> {
  return s.anyOf([scalar(t), matcherObject(t, true)], description);
}

/** A group of nested fields, e.g. `tls: {protocol: ..., alert: ...}`. */
export function fields<P extends Record<string, Schema>>(props: P, description?: string): ResultField<ResultOf<P>> {
  return s.object(props, description ? { description } : {});
}

/** The `error` field that every step kind that can fail to execute shares. */
export function errorFields<X extends Record<string, Schema> = {}>(extra: X = {} as X): ResultField<{ code?: string; message?: string } & ResultOf<X>> {
  return fields(
    {
      code: matcher('string', 'a stable error code, e.g. ECONNREFUSED, ENOENT, ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED'),
      message: matcher('string', 'the error message'),
      ...extra,
    },
    'the step could not complete (connection refused, command not found...); stating it makes that failure the expected outcome',
  ) as ResultField<{ code?: string; message?: string } & ResultOf<X>>;
}
