// `certharness reference`: the reference pages (docs/reference/) rendered from this version's
// declarations, printed one at a time, written to a directory, or checked against one.
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { EXIT, UsageError } from '../exit-codes.ts';
import { parseOptions } from '../options.ts';
import type { CliIo } from '../io.ts';
import { createCatalog } from '../../runner/catalog.ts';
import { referencePages } from '../reference.ts';
import { makeDirectories, writeFileAtomic } from '../../util/atomic-write.ts';
import { didYouMean } from '../../scenario/suggest.ts';

export const REFERENCE_HELP = `Usage: certharness reference [PAGE] [--out DIR | --check DIR]

The reference of this version as Markdown, rendered from the declarations the loader and the
runner use: scenario keys, step kinds and their result fields, service kinds and their
{{name.prop}} properties, PKI items, expect matchers, lint ids, exit and problem codes, and
every command's --help. Nothing in it can disagree with what the program accepts.

  PAGE          print one page (steps.md, services.md...); without PAGE, list the pages
  --out DIR     write every page into DIR (created if needed)
  --check DIR   exit 1 naming each page in DIR that differs from this version's (for CI)

Examples:
  certharness reference steps.md | less
  certharness reference --out docs/reference
  certharness reference --check docs/reference
`;

async function pages(): Promise<Record<string, string>> {
  const { COMMANDS, MAIN_HELP } = await import('../command-table.ts');
  const helps: Record<string, string> = { certharness: MAIN_HELP };
  for (const [name, load] of Object.entries(COMMANDS)) helps[name] = (await load()).help;
  return referencePages(createCatalog().format, helps);
}

async function stalePages(dir: string, rendered: Record<string, string>): Promise<string[]> {
  const stale: string[] = [];
  for (const [file, text] of Object.entries(rendered)) {
    const committed = await readFile(join(dir, file), 'utf8').catch(() => undefined);
    if (committed !== text) stale.push(file);
  }
  return stale;
}

export async function referenceCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseOptions(argv, { out: { type: 'string' }, check: { type: 'string' } }, 'reference');
  if (values.help) return io.stdout(REFERENCE_HELP), EXIT.ok;
  if (values.out && values.check) throw new UsageError('reference: --out and --check exclude each other');
  if (positionals.length > 1) throw new UsageError(`reference prints one page at a time (got ${positionals.join(' ')})`);
  const rendered = await pages();
  if (values.check) {
    if (!(await stat(values.check).then((st) => st.isDirectory(), () => false))) throw new UsageError(`reference: --check ${values.check}: no such directory`);
    const stale = await stalePages(values.check, rendered);
    for (const file of stale) io.stderr(`${join(values.check, file)} differs from this version's reference: run certharness reference --out ${values.check}\n`);
    return stale.length ? EXIT.failed : EXIT.ok;
  }
  if (values.out) {
    try {
      await makeDirectories(values.out);
      for (const [file, text] of Object.entries(rendered)) await writeFileAtomic(join(values.out, file), text);
    } catch (e) {
      throw new UsageError(`reference: cannot write ${values.out}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    io.stdout(`wrote ${Object.keys(rendered).length} pages to ${values.out}\n`);
    return EXIT.ok;
  }
  const page = positionals[0];
  if (page === undefined) {
    for (const [file, text] of Object.entries(rendered)) io.stdout(`${file}\t${/^# (.+)$/m.exec(text)?.[1] ?? ''}\n`);
    return EXIT.ok;
  }
  const text = rendered[page] ?? rendered[`${page}.md`];
  if (text === undefined) {
    const hint = didYouMean(page, Object.keys(rendered));
    throw new UsageError(`reference: no page ${page}${hint ? ` (${hint})` : ''}; pages: ${Object.keys(rendered).join(', ')}`);
  }
  io.stdout(text);
  return EXIT.ok;
}
