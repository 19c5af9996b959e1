// Writes a file under a temporary name and renames it into place, so a reader (or a run
// interrupted halfway) never sees half a file.
import { writeFile, rename, chmod, rm, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { randomBytes } from 'node:crypto';

export async function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o644): Promise<void> {
  const tmp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, data, { mode });
    await chmod(tmp, mode); // the umask may have narrowed `mode`
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/**
 * Creates a directory and its missing parents, one level at a time. Node's recursive mkdir
 * never returns for a path under /proc (it retries ENOENT there forever); this fails instead.
 */
export async function makeDirectories(path: string, mode = 0o755): Promise<void> {
  try {
    await mkdir(path, { mode });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return;
    if (code !== 'ENOENT' || dirname(path) === path) throw e;
    await makeDirectories(dirname(path), mode);
    await mkdir(path, { mode }).catch((again: NodeJS.ErrnoException) => {
      if (again.code !== 'EEXIST') throw again;
    });
  }
}
