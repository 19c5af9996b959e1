// Commands with subcommands (pki, p12, grpc): help when asked or when nothing is given, a
// clear error for an unknown one.
import { EXIT, UsageError } from './exit-codes.ts';
import type { CliIo } from './io.ts';
import { didYouMean } from '../scenario/suggest.ts';

export async function dispatch(command: string, argv: string[], io: CliIo, help: string, table: Record<string, (argv: string[], io: CliIo) => number | Promise<number>>): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h') {
    io.stdout(help);
    return sub === undefined ? EXIT.badInput : EXIT.ok;
  }
  const run = table[sub];
  if (!run) {
    const hint = didYouMean(sub, Object.keys(table));
    throw new UsageError(`unknown ${command} command '${sub}'${hint ? ` (${hint})` : ''}: use ${Object.keys(table).map((k) => `${command} ${k}`).join(' or ')}`);
  }
  // `p12 check --help`: the command's help covers its subcommands.
  const ask = rest.indexOf('--');
  if ((ask === -1 ? rest : rest.slice(0, ask)).some((a) => a === '--help' || a === '-h')) {
    io.stdout(help);
    return EXIT.ok;
  }
  return run(rest, io);
}
