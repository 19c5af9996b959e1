// `certharness clean`: removes the work directories of runs that were killed (their owner
// process is gone), with the private keys they hold. `run` does the same before it starts.
import { parseOptions } from '../options.ts';
import { tmpdir } from 'node:os';
import { EXIT, UsageError } from '../exit-codes.ts';
import type { CliIo } from '../io.ts';
import { removeStaleWorkDirs } from '../../runner/stale.ts';

export const CLEAN_HELP = `Usage: certharness clean [--dir DIR]

Removes certharness-* work directories whose run is no longer alive (killed with SIGKILL, or
by a crash of the machine), from DIR (default: the system temp directory, $TMPDIR). A
directory whose run is still going, or that certharness did not make, is left alone. Each
removed directory is printed. \`certharness run\` does this itself before it starts.

Example:
  certharness clean
`;

export async function cleanCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseOptions(argv, { dir: { type: 'string' } }, 'clean');
  if (values.help) {
    io.stdout(CLEAN_HELP);
    return EXIT.ok;
  }
  if (positionals.length) throw new UsageError(`clean takes no arguments (got ${positionals.join(' ')}); give a directory with --dir`);
  const removed = await removeStaleWorkDirs(values.dir ?? io.env.TMPDIR ?? tmpdir());
  for (const dir of removed) io.stdout(`removed ${dir}\n`);
  if (!removed.length) io.stdout('nothing to remove\n');
  return EXIT.ok;
}
