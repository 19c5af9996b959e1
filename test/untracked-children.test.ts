// The tests' children start as a user's would: without tap's process tracker (untracked-children.ts).
import t from 'tap';
import { execFileSync } from 'node:child_process';
import './helpers.ts';
import { tracker } from './untracked-children.ts';

t.test("a child of a test runs without tap's process tracker, and keeps the rest of NODE_OPTIONS", { skip: tracker ? false : 'not run by tap: there is no tracker to leave out' }, async (t) => {
  const seen = JSON.parse(execFileSync(process.execPath, ['-p', 'JSON.stringify({ options: process.env.NODE_OPTIONS ?? "", tracker: Object.keys(process.env).filter((k) => k.startsWith("_TAPJS_PROCESSINFO_")) })'], { encoding: 'utf8' })) as { options: string; tracker: string[] };
  t.notMatch(seen.options, /processinfo/, 'NODE_OPTIONS names no tracker');
  t.same(seen.tracker, [], "nor does the environment carry the tracker's variables");
  t.equal(seen.options, process.env.NODE_OPTIONS ?? '', 'what else NODE_OPTIONS holds reaches the child');
});
