// Commands with subcommands (pki, p12, grpc): help when asked or when nothing is given, a
// clear error for an unknown one.
import { EXIT, UsageError } from './exit-codes.ts';
import type { CliIo } from './io.ts';

export async function dispatch(command: string, argv: string[], io: CliIo, help: string, table: Record<string, (argv: string[], io: CliIo) => number | Promise<number>>): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h') {
    io.stdout(help);
    return sub === undefined ? EXIT.badInput : EXIT.ok;
  }
  const run = table[sub];
  if (!run) throw new UsageError(`unknown ${command} command '${sub}': use ${Object.keys(table).map((k) => `${command} ${k}`).join(' or ')}`);
  return run(rest, io);
}
