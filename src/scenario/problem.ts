// A problem found in an input file. Problems are data: they are collected, never thrown,
// so that every problem of a file is reported at once, before anything starts.

export interface SourcePosition {
  file: string;
  line: number; // 1-based
  col: number; // 1-based
}

export interface Problem {
  /** Stable identifier, listed with its meaning in PROBLEM_CODES. */
  code: ProblemCode;
  message: string;
  at?: SourcePosition;
  /** A short suggestion that would fix it, e.g. "did you mean 'expect'?". */
  hint?: string;
}

/** Each code a problem in an input file carries (the JSON form of errors), with what it means. */
export const PROBLEM_CODES = {
  'yaml-syntax': 'the file is not YAML, or uses a tag, or an alias expands beyond the bound',
  'unknown-key': 'a key the format does not have (the hint names the nearest known one)',
  'missing-key': 'a required key is absent',
  'wrong-type': 'a value of the wrong type (a list where a string belongs...)',
  'bad-value': 'a value of the right type that is refused: an unknown enum value, a bad duration or time, a pattern RE2 refuses, a path outside the work directory',
  'unknown-reference': 'a `{{name.prop}}` or a name (`issuer: ca`) that the scenario does not declare',
  'dependency-cycle': 'PKI items or services that need each other',
  'missing-file': 'an input file that does not exist or is not a regular file',
  'step-kind': 'a step with no kind, or more than one',
  'duplicate-name': 'two PKI items, services or steps with the same name',
  'bad-input': 'any other input refused before anything runs (an option, a --pki file)',
} as const;

export type ProblemCode = keyof typeof PROBLEM_CODES;

/** `file:line:col: message (hint)` — one line, the format editors and CI annotate. */
export function formatProblem(p: Problem): string {
  const where = p.at ? `${p.at.file}:${p.at.line}:${p.at.col}: ` : '';
  const hint = p.hint ? ` (${p.hint})` : '';
  return `${where}${p.message}${hint}`;
}

/** The offending source line with a caret under the column, as hurl and rustc show it. */
export function excerpt(source: string, at: SourcePosition): string {
  const lines = source.split(/\r?\n/);
  const text = lines[at.line - 1];
  if (text === undefined) return '';
  const gutter = String(at.line).length;
  return [
    `${' '.repeat(gutter)} |`,
    `${at.line} | ${text}`,
    `${' '.repeat(gutter)} | ${' '.repeat(Math.max(0, at.col - 1))}^`,
  ].join('\n');
}

