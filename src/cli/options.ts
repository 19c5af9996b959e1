// Every command's options go through here: --help and -h are always known, and an unknown
// option is one line naming the nearest known one, rather than node's parseArgs message.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './exit-codes.ts';
import { didYouMean } from '../scenario/suggest.ts';

type Options = NonNullable<ParseArgsConfig['options']>;
const HELP = { help: { type: 'boolean', short: 'h', default: false } } as const;

export function parseOptions<O extends Options>(argv: string[], options: O, command: string) {
  try {
    return parseArgs({ args: argv, allowPositionals: true, strict: true, options: { ...options, ...HELP } as O & typeof HELP });
  } catch (e) {
    throw optionError(e as Error & { code?: string }, Object.keys(options), command);
  }
}

function optionError(e: Error & { code?: string }, known: string[], command: string): Error {
  const flags = [...known.map((k) => `--${k}`), '--help'];
  if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const given = /option '([^']+)'/.exec(e.message)?.[1] ?? '';
    const hint = didYouMean(given, flags);
    return new UsageError(`${command}: unknown option ${given}${hint ? ` (${hint})` : ''}; see certharness ${command} --help`);
  }
  if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const flag = /Option '(?:-\w, )?(--[\w-]+)/.exec(e.message)?.[1] ?? 'an option';
    const what = /does not take an argument/.test(e.message) ? 'takes no value' : 'needs a value';
    return new UsageError(`${command}: ${flag} ${what}; see certharness ${command} --help`);
  }
  if (e.code?.startsWith('ERR_PARSE_ARGS')) return new UsageError(`${command}: ${e.message}`);
  return e;
}
