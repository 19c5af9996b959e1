// Work directories of runs that were killed (SIGKILL cannot be caught, so their teardown never
// ran) hold private keys: each one names its owner's pid in `.owner`, and a later run removes
// those whose owner is gone. Only directories with that file are touched.
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const OWNER_FILE = '.owner';

export async function markOwner(workDir: string): Promise<void> {
  await writeFile(join(workDir, OWNER_FILE), `${process.pid}\n`, { mode: 0o600 });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes certharness-* directories under root whose owning process no longer exists; returns them. */
export async function removeStaleWorkDirs(root: string): Promise<string[]> {
  const removed: string[] = [];
  let names: string[];
  try {
    names = (await readdir(root)).filter((n) => n.startsWith('certharness-'));
  } catch {
    return removed;
  }
  for (const name of names) {
    const dir = join(root, name);
    const pid = Number((await readFile(join(dir, OWNER_FILE), 'utf8').catch(() => '')).trim());
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid || alive(pid)) continue;
    await rm(dir, { recursive: true, force: true }).then(() => removed.push(dir), () => {});
  }
  return removed;
}
