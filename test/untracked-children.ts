// tap runs each test file under @tapjs/processinfo, which records every process a test starts
// (for coverage, which this project does not collect) by putting itself into each child's
// NODE_OPTIONS at every spawn. A CLI process started under it takes 0.3-0.65 s longer
// (bench/README.md), so the tests' children run as a user's would: without it. Imported first
// by helpers.ts; where tap is not the runner, it does nothing.
import { createRequire } from 'node:module';

/** The tracker's module, when tap runs this process. */
export const tracker = process.execArgv.map((arg) => /^--import=(.*@tapjs\/processinfo\/.*)$/.exec(arg)?.[1]).find((url) => url !== undefined);
if (tracker) {
  // processinfo adds itself through process-on-spawn, whose listeners run at every spawn.
  const onSpawn = createRequire(tracker)('process-on-spawn') as { removeAllListeners(): void };
  onSpawn.removeAllListeners();
  // tap writes it into NODE_OPTIONS quoted.
  const rest = (process.env.NODE_OPTIONS ?? '').replace(`"--import=${tracker}"`, '').replace(`--import=${tracker}`, '').trim();
  if (rest) process.env.NODE_OPTIONS = rest;
  else delete process.env.NODE_OPTIONS;
  for (const name of Object.keys(process.env)) if (name.startsWith('_TAPJS_PROCESSINFO_')) delete process.env[name];
}
