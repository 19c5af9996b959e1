// Prints input problems: one line each, `file:line:col: message (hint)`, then the source line
// with a caret under the first problem of each file when on a terminal.
import { readFileSync } from 'node:fs';
import { formatProblem, excerpt, type Problem } from '../scenario/problem.ts';
import type { CliIo } from './io.ts';

export function printProblems(problems: Problem[], io: CliIo): void {
  const shownExcerpt = new Set<string>();
  for (const p of problems) {
    io.stderr(`${formatProblem(p)}\n`);
    if (io.stdoutIsTTY && p.at && !shownExcerpt.has(p.at.file)) {
      shownExcerpt.add(p.at.file);
      try {
        io.stderr(`${excerpt(readFileSync(p.at.file, 'utf8'), p.at)}\n`);
      } catch {
        /* the file went away: the one-line message stands alone */
      }
    }
  }
  const files = new Set(problems.map((p) => p.at?.file ?? '')).size;
  io.stderr(`${problems.length} problem${problems.length === 1 ? '' : 's'}${files > 1 ? ` in ${files} files` : ''}; nothing was run\n`);
}
