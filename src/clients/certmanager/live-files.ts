// Document 003's live directory, written so that a reader never sees half a pair: each set of
// files goes into a new archive/<name>/<version>/ directory, and live/<name> is a symlink
// switched to it with one rename(2). A failure or a kill before the rename leaves the old set.
//
//   <configDir>/live/aiotes -> ../archive/aiotes/3
//   <configDir>/archive/aiotes/3/{privkey,cert,chain,fullchain}.pem
import { lstat, mkdir, readFile, readdir, rename, rm, symlink, writeFile, open } from 'node:fs/promises';
import { join, relative, dirname } from 'node:path';

export const LIVE_FILES = ['privkey.pem', 'cert.pem', 'chain.pem', 'fullchain.pem'] as const;

export interface PemSet {
  privkey: string;
  cert: string;
  chain: string;
  fullchain: string;
}

export interface LiveLayout {
  configDir: string;
  name: string;
}

export const liveDir = (l: LiveLayout) => join(l.configDir, 'live', l.name);
export const archiveDir = (l: LiveLayout) => join(l.configDir, 'archive', l.name);

/** What is in live/<name> now, file by file (absent files are undefined). */
export async function readLive(l: LiveLayout): Promise<Partial<PemSet> & { managed: boolean; exists: boolean }> {
  const dir = liveDir(l);
  const stat = await lstat(dir).catch(() => undefined);
  if (!stat) return { managed: false, exists: false };
  const read = (f: string) => readFile(join(dir, f), 'utf8').catch(() => undefined);
  const [privkey, cert, chain, fullchain] = await Promise.all(LIVE_FILES.map(read));
  return { managed: stat.isSymbolicLink(), exists: true, ...(privkey ? { privkey } : {}), ...(cert ? { cert } : {}), ...(chain ? { chain } : {}), ...(fullchain ? { fullchain } : {}) };
}

async function writeDurably(path: string, data: string, mode: number): Promise<void> {
  const handle = await open(path, 'wx', mode);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Installs a new set. `beforeSwitch` runs after the files are written and before live/<name>
 * moves: tests use it to fail or to stop there, and see that live/ still holds the old pair.
 */
export async function installLive(l: LiveLayout, set: PemSet, o: { beforeSwitch?: () => Promise<void> } = {}): Promise<{ version: string; dir: string }> {
  const archive = archiveDir(l);
  await mkdir(archive, { recursive: true, mode: 0o700 });
  await mkdir(dirname(liveDir(l)), { recursive: true, mode: 0o700 });
  const versions = (await readdir(archive)).map(Number).filter(Number.isInteger);
  const version = String(Math.max(0, ...versions) + 1);
  const target = join(archive, version);
  const partial = join(archive, `.${version}.partial`);
  await rm(partial, { recursive: true, force: true });
  await mkdir(partial, { mode: 0o755 });
  await writeDurably(join(partial, 'privkey.pem'), set.privkey, 0o600);
  await writeDurably(join(partial, 'cert.pem'), set.cert, 0o644);
  await writeDurably(join(partial, 'chain.pem'), set.chain, 0o644);
  await writeDurably(join(partial, 'fullchain.pem'), set.fullchain, 0o644);
  await rename(partial, target);
  await o.beforeSwitch?.();
  const live = liveDir(l);
  const current = await lstat(live).catch(() => undefined);
  if (current && !current.isSymbolicLink()) {
    // A real directory is the user's (docker cp): keep it in the archive rather than lose it.
    await rename(live, join(archive, `provided-${Date.now()}`));
  }
  const link = `${live}.${version}.link`;
  await rm(link, { force: true });
  await symlink(relative(dirname(live), target), link);
  await rename(link, live);
  return { version, dir: target };
}

/** Writes a file by temp file and rename: the state file, the account key. */
export async function writeSmallFile(path: string, data: string, mode = 0o600): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, data, { mode });
  await rename(tmp, path);
}
