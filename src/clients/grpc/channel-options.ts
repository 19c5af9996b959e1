// The channel options grpc-js acts on. Any other name is silently ignored by grpc-js, so a
// misspelt `grpc.ssl_target_name_overide` would turn into a name mismatch far from its cause.
// The list is grpc-js's own, read from the installed version.
import { recognizedOptions } from '@grpc/grpc-js/build/src/channel-options.js';
import { didYouMean } from '../../scenario/suggest.ts';

export const GRPC_JS_OPTIONS: readonly string[] = Object.keys(recognizedOptions);

/** Why grpc-js would ignore this option name ("is not a channel option..."), or undefined when it knows it. */
export function unknownChannelOption(name: string): string | undefined {
  if (GRPC_JS_OPTIONS.includes(name)) return undefined;
  const hint = didYouMean(name, GRPC_JS_OPTIONS);
  return `is not a channel option grpc-js knows${hint ? ` (${hint})` : ''}: grpc-js would ignore it`;
}
