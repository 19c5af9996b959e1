// `p12 check --for` predictions against the real programs of each platform that runs here:
// Java's keytool, NSS's pk12util, GnuTLS's certtool, and OpenSSL 3's PKCS12_parse as Node and
// curl use it. A corpus of bundles made by openssl (modern, -legacy, -nomac, 3DES, a non-ASCII
// password, an empty one) and by `p12 convert`; for each, the verdict must be what the program does.
import t from 'tap';
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:tls';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { needPeer, runCliHere, sh, tempDir } from './helpers.ts';
import { readPkcs12 } from '../src/pki/pkcs12/read.ts';
import { verdicts, type Platform } from '../src/pki/pkcs12/platforms.ts';

interface Bundle {
  file: string;
  password: string;
}

async function corpus(dir: string): Promise<Bundle[]> {
  const openssl = (...args: string[]) => {
    const r = sh(['openssl', ...args], { cwd: dir });
    if (r.code !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
  };
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'k.pem', '-out', 'c.pem', '-subj', '/CN=p12 corpus', '-days', '3');
  const made: [string, string, string[]][] = [
    ['modern.p12', 'pass', []],
    ['legacy.p12', 'pass', ['-legacy']],
    ['nomac.p12', 'pass', ['-nomac']],
    ['nomac-3des.p12', 'pass', ['-nomac', '-keypbe', 'PBE-SHA1-3DES', '-certpbe', 'PBE-SHA1-3DES']],
    ['3des.p12', 'pass', ['-keypbe', 'PBE-SHA1-3DES', '-certpbe', 'PBE-SHA1-3DES', '-macalg', 'sha1']],
    ['non-ascii.p12', 'pässwörd', []],
    ['non-ascii-3des.p12', 'pässwörd', ['-keypbe', 'PBE-SHA1-3DES', '-certpbe', 'PBE-SHA1-3DES', '-macalg', 'sha1']],
    ['empty-password.p12', '', []],
  ];
  for (const [file, password, extra] of made) openssl('pkcs12', '-export', '-in', 'c.pem', '-inkey', 'k.pem', '-passout', `pass:${password}`, ...extra, '-out', file);
  const bundles = made.map(([file, password]) => ({ file, password }));
  for (const profile of ['compat', 'legacy', 'modern']) {
    const r = await runCliHere(['p12', 'convert', join(dir, 'modern.p12'), join(dir, `converted-${profile}.p12`), '--profile', profile, '--password', 'pass'], { cwd: dir });
    if (r.code !== 0) throw new Error(r.stderr);
    bundles.push({ file: `converted-${profile}.p12`, password: 'pass' });
  }
  return bundles;
}

function predicted(dir: string, b: Bundle, platform: Platform): boolean {
  const info = readPkcs12(readFileSync(join(dir, b.file)), b.password, b.file);
  return verdicts({ info, password: b.password }, [platform])[0]!.ok;
}

/** Each platform's real program: does it import the bundle? */
const REAL: Partial<Record<Platform, { peer: string; opens: (dir: string, b: Bundle) => Promise<boolean> | boolean }>> = {
  java: { peer: 'keytool', opens: (dir, b) => sh(['keytool', '-list', '-keystore', join(dir, b.file), '-storetype', 'PKCS12', '-storepass', b.password], { cwd: dir }).code === 0 },
  nss: {
    peer: 'pk12util',
    opens: (dir, b) => {
      const db = join(dir, `nss-${b.file}`);
      mkdirSync(db);
      if (sh(['certutil', '-N', '-d', `sql:${db}`, '--empty-password']).code !== 0) throw new Error('certutil -N failed');
      return sh(['pk12util', '-i', join(dir, b.file), '-d', `sql:${db}`, '-W', b.password]).code === 0;
    },
  },
  gnutls: { peer: 'certtool', opens: (dir, b) => sh(['certtool', '--p12-info', '--inder', '--infile', join(dir, b.file), '--password', b.password]).code === 0 },
};

t.test('p12 check verdicts match keytool, pk12util and certtool on every bundle of the corpus', async (t) => {
  if (!needPeer(t, 'openssl')) return;
  const dir = tempDir();
  const bundles = await corpus(dir);
  for (const [platform, real] of Object.entries(REAL) as [Platform, NonNullable<(typeof REAL)[Platform]>][]) {
    if (!needPeer(t, real.peer)) continue;
    for (const b of bundles) t.equal(predicted(dir, b, platform), await real.opens(dir, b), `${platform} (${real.peer}) on ${b.file}, password ${JSON.stringify(b.password)}`);
  }
});

t.test('the openssl3 verdict matches Node and Linux curl (both use OpenSSL 3\'s PKCS12_parse)', async (t) => {
  if (!needPeer(t, 'openssl') || !needPeer(t, 'curl')) return;
  const dir = tempDir();
  const bundles = await corpus(dir);
  const server = createServer({ key: readFileSync(join(dir, 'k.pem')), cert: readFileSync(join(dir, 'c.pem')) }, (s) => s.end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => void server.close());
  const port = (server.address() as { port: number }).port;
  for (const b of bundles) {
    let node: boolean;
    try {
      (await import('node:tls')).createSecureContext({ pfx: readFileSync(join(dir, b.file)), passphrase: b.password });
      node = true;
    } catch {
      node = false;
    }
    // curl exits 58 when it cannot use the client certificate; any other exit got past it.
    const curl = await new Promise<number | null>((resolve) => spawn('curl', ['-s', '-k', '--cert-type', 'P12', '--cert', `${join(dir, b.file)}:${b.password}`, `https://127.0.0.1:${port}/`]).on('close', resolve));
    const expected = predicted(dir, b, 'openssl3');
    t.equal(node, expected, `Node on ${b.file}`);
    t.equal(curl !== 58, expected, `curl on ${b.file} (exit ${curl})`);
  }
});
