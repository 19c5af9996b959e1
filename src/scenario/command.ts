// Commands written in a scenario, with {{refs}} in them. A value never becomes shell syntax:
//  - in a shell command line (exec: "..."), each reference becomes a variable the shell expands
//    inside double quotes, and the value travels in the environment: a work directory with a
//    space or a --var of '$(touch pwned)' is one word, never code;
//  - in an argument line (openssl: "...", curl: "..."), the line is split first (shell-quote),
//    and each value lands inside one argument.
// What is displayed is the command as a person would paste it, values quoted where they stand.
import shellQuote from 'shell-quote';
import { findRefs, replaceRefs, type Scope } from './interpolate.ts';
import { s, type Typed } from './schema.ts';

export interface ShellCommand {
  /** What /bin/sh -c runs: the references as "${CERTHARNESS_REF_n}". */
  script: string;
  /** CERTHARNESS_REF_n -> value, for the shell's environment. */
  env: Record<string, string>;
  /** The command with the values written in, quoted for where they stand. */
  display: string;
}

type QuoteContext = 'unquoted' | 'single' | 'double';

/**
 * The quoting in force at each offset of a shell command line, as POSIX sh reads quotes,
 * backslashes and command substitutions ($(...) and backquotes start unquoted again, even
 * inside double quotes). Only where a reference stands is asked. A construct this misreads
 * costs at most a split word, never code: values are expanded from variables.
 */
function quoteContexts(text: string, offsets: number[]): Map<number, { quote: QuoteContext; backquoted: boolean }> {
  const wanted = new Set(offsets);
  const out = new Map<number, { quote: QuoteContext; backquoted: boolean }>();
  // The substitutions we are inside: what the quoting was outside each, and its open parentheses.
  const outer: { state: QuoteContext; closer: ')' | '`' }[] = [];
  let state: QuoteContext = 'unquoted';
  let parens = 0;
  for (let i = 0; i < text.length; i++) {
    if (wanted.has(i)) out.set(i, { quote: state, backquoted: outer.some((o) => o.closer === '`') });
    const ch = text[i];
    if (state === 'single') {
      if (ch === "'") state = 'unquoted';
    } else if (ch === '\\') {
      i++;
    } else if (ch === '$' && text[i + 1] === '(') {
      outer.push({ state, closer: ')' });
      state = 'unquoted';
      i++;
    } else if (ch === '`' && outer.at(-1)?.closer !== '`') {
      outer.push({ state, closer: '`' });
      state = 'unquoted';
    } else if (state === 'double') {
      if (ch === '"') state = 'unquoted';
    } else if (ch === "'") state = 'single';
    else if (ch === '"') state = 'double';
    else if (ch === '(') parens++;
    else if (ch === ')' && parens > 0) parens--;
    else if (ch === outer.at(-1)?.closer) state = outer.pop()!.state;
  }
  return out;
}

/** Written for a person: the value quoted so that pasting the line gives the same word. */
function displayed(value: string, context: QuoteContext): string {
  if (context === 'unquoted') return shellQuote.quote([value]);
  if (context === 'double') return value.replace(/[$`"\\]/g, '\\$&');
  return value.replace(/'/g, `'\\''`);
}

export function shellCommand(template: string, scope: Scope): ShellCommand {
  const contexts = quoteContexts(template, findRefs(template).map((r) => r.offset));
  const at = (offset: number) => contexts.get(offset) ?? { quote: 'unquoted' as const, backquoted: false };
  const env: Record<string, string> = {};
  const script = replaceRefs(template, scope, (value, offset) => {
    const name = `CERTHARNESS_REF_${Object.keys(env).length + 1}`;
    env[name] = value;
    const context = at(offset).quote;
    return context === 'double' ? `\${${name}}` : context === 'single' ? `'"\${${name}}"'` : `"\${${name}}"`;
  });
  // Backquotes strip one level of backslashes before their command is read, so no quoting
  // written in is safe there: such a line is shown as the script with its environment.
  const display = [...contexts.values()].some((c) => c.backquoted)
    ? shellQuote.quote(['env', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), '/bin/sh', '-c', script])
    : replaceRefs(template, scope, (value, offset) => displayed(value, at(offset).quote));
  return { script, env, display };
}

export class ShellSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShellSyntaxError';
  }
}

// Private-use characters mark where each value goes while the line is split without it.
const MARK = /\u{E000}(\d+)\u{E001}/gu;

/** Splits an argument line as a shell would (quotes, backslashes), runs nothing, and puts each value inside its argument. */
export function argumentLine(template: string, scope: Scope): string[] {
  const values: string[] = [];
  const marked = replaceRefs(template, scope, (value) => `\u{E000}${values.push(value) - 1}\u{E001}`);
  // $NAME stays as written: no shell runs, so nothing expands it.
  const tokens = shellQuote.parse(marked, (name: string) => `$${name}`);
  const args: string[] = [];
  for (const token of tokens) {
    if (typeof token === 'string') args.push(token);
    else if ('pattern' in token) args.push(token.pattern); // a * or ? is a literal character here
    else if ('comment' in token) break;
    else throw new ShellSyntaxError(`has shell syntax ('${token.op}'), but an argument line runs no shell: use exec for pipes, redirections and &&`);
  }
  return args.map((arg) => arg.replace(MARK, (_, i: string) => values[Number(i)]!));
}

/** Why an argument line cannot be split (shell syntax in it), checked when the file is loaded. */
export function argumentLineProblem(template: string): string | undefined {
  try {
    argumentLine(template, () => 'value');
    return undefined;
  } catch (e) {
    if (e instanceof ShellSyntaxError) return e.message;
    throw e;
  }
}

/** An argument line in a scenario (openssl:, curl:): a string, or a list that is argv already. */
export const argumentLineSchema = (description: string): Typed<string | string[]> => s.anyOf([s.string({ check: argumentLineProblem }), s.array(s.string())], description);

/** argv as a line to paste into a shell. */
export function displayArgv(argv: readonly string[]): string {
  return shellQuote.quote([...argv]);
}
