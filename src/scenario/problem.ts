// A problem found in an input file. Problems are data: they are collected, never thrown,
// so that every problem of a file is reported at once, before anything starts.

export interface SourcePosition {
  file: string;
  line: number; // 1-based
  col: number; // 1-based
}

export interface Problem {
  /** Stable identifier, documented in README ("Error codes"). */
  code: ProblemCode;
  message: string;
  at?: SourcePosition;
  /** A short suggestion that would fix it, e.g. "did you mean 'expect'?". */
  hint?: string;
}

export type ProblemCode =
  | 'yaml-syntax'
  | 'unknown-key'
  | 'missing-key'
  | 'wrong-type'
  | 'bad-value'
  | 'unknown-reference'
  | 'dependency-cycle'
  | 'missing-file'
  | 'step-kind'
  | 'duplicate-name'
  | 'bad-input';

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

export class InputError extends Error {
  readonly problems: Problem[];
  constructor(problems: Problem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'InputError';
    this.problems = problems;
  }
}
