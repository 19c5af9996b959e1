// The files under a directory, relative to it, with their sizes: what a report says a work
// directory held. Bounded, because a step may write thousands of files and a report is read.
import { readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

export interface ListedFile {
  path: string;
  bytes: number;
}

/** At most `limit` files, in name order, depth first; links are listed, never followed. */
export async function listFiles(dir: string, limit = 500): Promise<ListedFile[]> {
  const out: ListedFile[] = [];
  const walk = async (at: string): Promise<void> => {
    const entries = await readdir(at, { withFileTypes: true }).catch(() => []);
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (out.length >= limit) return;
      const full = join(at, e.name);
      if (e.isDirectory()) await walk(full);
      else out.push({ path: relative(dir, full).split(sep).join('/'), bytes: e.isFile() ? ((await stat(full).catch(() => undefined))?.size ?? 0) : 0 });
    }
  };
  await walk(dir);
  return out;
}
