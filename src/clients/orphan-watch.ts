// A step's process group outlives a harness killed with SIGKILL: no teardown runs, and a
// parent-death signal would reach the step's own process only, not a shell's children. So one
// small watcher per harness holds the process groups of the steps running now, told over a pipe;
// when the pipe closes, the harness is gone (killed, crashed or exited), and the watcher kills
// the groups still listed. A group leaves the list when its step ends, so the number of a group
// that is gone is not killed later.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';

// POSIX sh: "+ N" lists group N, "- N" takes it off; at the end of input, each listed group is
// killed (`kill -KILL -N`: dash takes no `--` there).
const WATCHER = `groups=' '
while read -r op g; do
  case $op in
    +) groups="$groups$g " ;;
    -) case $groups in *" $g "*) groups="\${groups%% $g *} \${groups#* $g }" ;; esac ;;
  esac
done
for g in $groups; do kill -KILL "-$g" 2>/dev/null; done
`;

const SHELL = '/bin/sh';
let watcher: ChildProcess | undefined | null;

/** The watcher, started with the first step; null where there is no /bin/sh or it could not start. */
function started(): ChildProcess | null {
  if (watcher !== undefined) return watcher;
  if (process.platform === 'win32' || !existsSync(SHELL)) return (watcher = null);
  try {
    // Its own group, so a Ctrl-C at the terminal does not stop it before the harness has torn down.
    const w = spawn(SHELL, ['-c', WATCHER], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
    w.on('error', () => (watcher = null));
    w.stdin!.on('error', () => (watcher = null));
    // Neither the watcher nor its pipe keeps the harness running.
    w.unref();
    (w.stdin as unknown as { unref?: () => void }).unref?.();
    return (watcher = w);
  } catch {
    return (watcher = null);
  }
}

/** Lists a step's process group (its leader's pid) for as long as the step runs. */
export function watchGroup(pid: number): void {
  started()?.stdin?.write(`+ ${pid}\n`);
}

/** The step has ended: its group number may be reused now, and is never killed. */
export function unwatchGroup(pid: number): void {
  watcher?.stdin?.write(`- ${pid}\n`);
}
