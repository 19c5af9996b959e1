// The regular expressions a scenario writes (`matches:`), matched in linear time with RE2's
// semantics (re2js): `^(a+)+$` against a long line cannot stall the harness, its signals or
// its step timeouts. The syntax is JavaScript's without lookaround and backreferences.
import { RE2JS } from 're2js';

export interface Pattern {
  test(text: string): boolean;
}

/** `/re/flags` (i, m, s) or a bare pattern. Throws with RE2's reason when it does not compile. */
export function compilePattern(source: string): Pattern {
  const m = /^\/(.*)\/([ims]*)$/s.exec(source);
  const body = m ? m[1]! : source;
  const flagText = m ? m[2]! : '';
  let flags = 0;
  if (flagText.includes('i')) flags |= RE2JS.CASE_INSENSITIVE;
  if (flagText.includes('m')) flags |= RE2JS.MULTILINE;
  if (flagText.includes('s')) flags |= RE2JS.DOTALL;
  const re = RE2JS.compile(body, flags);
  return { test: (text) => re.matcher(text).find() };
}

/** Why a pattern cannot be used, for the loader; undefined when it compiles. */
export function patternProblem(source: string): string | undefined {
  try {
    compilePattern(source);
    return undefined;
  } catch (e) {
    return `is not a regular expression RE2 accepts (no lookaround or backreferences): ${(e as Error).message.slice(0, 200)}`;
  }
}
