// What Express Gateway 1.16 will do with a gateway.config.yml's `https.tls` section, checked
// before deployment: the shape its schema accepts (a map keyed by host glob or `default`, not the
// list of maps older docs show), the files (relative to the gateway's working directory), key
// and certificate agreeing ("key values mismatch" at start), validity, the chain in `ca`
// reaching a root, which entry a host name's SNI selects, and whether it covers the name.
import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { resolve } from 'node:path';
import { LineCounter, parseDocument, isMap, isSeq, isScalar, type Node } from 'yaml';
import { loadPrivateKey } from '../../pki/keys.ts';
import { nodeView, parseCertificates, publicKeyMatches } from '../../pki/inspect.ts';

export interface GatewayFinding {
  severity: 'error' | 'warning' | 'ok';
  line?: number;
  col?: number;
  message: string;
}

const DAY_MS = 86_400_000;

/** Express Gateway matches SNI names with minimatch globs; for host names only `*` and `?` matter. */
export function globMatches(glob: string, host: string): boolean {
  const re = new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^.]*').replace(/\?/g, '.')}$`, 'i');
  return re.test(host);
}

export function checkGatewayTls(text: string, o: { cwd: string; host?: string; now?: Date }): GatewayFinding[] {
  const now = o.now ?? new Date();
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  const out: GatewayFinding[] = [];
  const at = (node: Node | null | undefined) => {
    const offset = node?.range?.[0];
    return offset === undefined ? {} : { line: lines.linePos(offset).line, col: lines.linePos(offset).col };
  };
  const add = (severity: GatewayFinding['severity'], node: Node | null | undefined, message: string) => out.push({ severity, ...at(node), message });
  for (const e of doc.errors) out.push({ severity: 'error', line: e.linePos?.[0].line ?? 1, col: e.linePos?.[0].col ?? 1, message: `not YAML: ${e.message.split('\n')[0]}` });
  if (doc.errors.length) return out;
  const https = doc.get('https', true) as Node | undefined;
  if (!isMap(https)) {
    add('error', doc.contents, 'no https: section: Express Gateway will serve plain HTTP only');
    return out;
  }
  const tls = https.get('tls', true) as Node | undefined;
  if (isSeq(tls)) {
    add('error', tls, 'https.tls is a list: Express Gateway 1.16 refuses it ("data.https.tls should be object"); write a map keyed by host glob or "default"');
    return out;
  }
  if (!isMap(tls)) {
    add('error', https, 'https.tls is missing: an https: section needs certificates');
    return out;
  }
  const entries = tls.items.map((pair) => ({ name: String(isScalar(pair.key) ? pair.key.value : pair.key), keyNode: pair.key as Node, value: pair.value as Node }));
  if (!entries.some((e) => e.name === 'default')) add('warning', tls, 'no "default" entry: clients that send no SNI, or a name no glob matches, get no certificate (Express Gateway logs "sni: no cert!")');
  const certs = new Map<string, X509Certificate>();
  for (const entry of entries) {
    const where = `https.tls["${entry.name}"]`;
    if (!isMap(entry.value)) {
      add('error', entry.value ?? entry.keyNode, `${where} must be a map with key, cert and ca`);
      continue;
    }
    const field = (k: string) => entry.value && isMap(entry.value) ? (entry.value.get(k, true) as Node | undefined) : undefined;
    const read = (node: Node | undefined, what: string): { path: string; data: string } | undefined => {
      if (!isScalar(node) || typeof node.value !== 'string') {
        add('error', node ?? entry.value, `${where}.${what} must be a file path`);
        return undefined;
      }
      const path = resolve(o.cwd, node.value);
      try {
        return { path, data: readFileSync(path, 'utf8') };
      } catch (e) {
        add('error', node, `${where}.${what}: ${node.value}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? `no such file (relative paths resolve against the gateway's working directory, ${o.cwd})` : (e as Error).message}`);
        return undefined;
      }
    };
    const keyFile = read(field('key'), 'key');
    const certFile = read(field('cert'), 'cert');
    const caNode = field('ca');
    // Every certificate the ca files hold: the pool the chain is built from.
    const pool: X509Certificate[] = [];
    if (caNode !== undefined) {
      if (!isSeq(caNode)) add('error', caNode, `${where}.ca must be a list of files`);
      else for (const item of caNode.items) {
        const f = read(item as Node, 'ca[]');
        if (!f) continue;
        // Node's TLS skips what it cannot parse in `ca` without a word: the gateway starts, and
        // sends no chain from that file.
        let found: X509Certificate[] = [];
        try {
          found = parseCertificates(f.data).map(nodeView);
        } catch (e) {
          add('error', item as Node, `${where}.ca[]: ${f.path}: ${(e as Error).message}; Node ignores it silently, so the gateway sends no chain from it`);
          continue;
        }
        if (!found.length) add('error', item as Node, `${where}.ca[]: ${f.path} holds no PEM certificate; Node ignores it silently, so the gateway sends no chain from it`);
        pool.push(...found);
      }
    }
    let cert: X509Certificate | undefined;
    if (certFile) {
      try {
        cert = new X509Certificate(certFile.data);
        certs.set(entry.name, cert);
      } catch {
        add('error', field('cert'), `${where}.cert: ${certFile.path} is not a PEM certificate`);
      }
    }
    if (keyFile && cert) {
      try {
        const key = loadPrivateKey(keyFile.data, undefined, keyFile.path);
        if (publicKeyMatches(parseCertificates(certFile!.data)[0]!, key.object)) add('ok', field('key'), `${where}: the key matches the certificate`);
        else add('error', field('key'), `${where}: the key does not match the certificate: Express Gateway fails to start ("key values mismatch")`);
      } catch (e) {
        add('error', field('key'), `${where}.key: ${(e as Error).message}`);
      }
    }
    if (!cert) continue;
    const notBefore = new Date(cert.validFrom);
    const notAfter = new Date(cert.validTo);
    if (now < notBefore) add('error', field('cert'), `${where}: the certificate is not valid before ${notBefore.toISOString()}`);
    else if (now > notAfter) add('error', field('cert'), `${where}: the certificate expired on ${notAfter.toISOString()}`);
    else {
      const days = Math.floor((notAfter.getTime() - now.getTime()) / DAY_MS);
      add(days < 30 ? 'warning' : 'ok', field('cert'), `${where}: valid until ${notAfter.toISOString()} (${days} days${days < 30 ? ': renewal is due' : ''})`);
    }
    // The chain: from the leaf through what `ca` holds to a self-signed root.
    if (cert.checkIssued(cert)) add('warning', field('cert'), `${where}: the certificate is self-signed: clients that verify certificates will reject it`);
    else {
      let current = cert;
      let reached = false;
      for (let depth = 0; depth < 8; depth++) {
        const issuer = pool.find((c) => current.checkIssued(c) && current.verify(c.publicKey));
        if (!issuer) break;
        if (issuer.checkIssued(issuer)) {
          reached = true;
          break;
        }
        current = issuer;
      }
      if (reached) add('ok', caNode, `${where}: the chain in ca reaches a root`);
      else if (current !== cert) add('warning', caNode, `${where}: ca holds the intermediates but no root: clients must already trust the root`);
      else add('error', caNode ?? entry.value, `${where}: nothing in ca issued the certificate (issuer ${cert.issuer.replace(/\n/g, ', ')})`);
    }
    if (entry.name !== 'default' && !cert.checkHost(entry.name.replace(/^\*\./, 'x.'))) {
      // A host name that its own certificate does not cover fails every client; a glob, only some names.
      if (entry.name.includes('*')) add('warning', entry.keyNode, `${where}: the certificate does not cover names matching "${entry.name}"`);
      else add('error', entry.keyNode, `${where}: the certificate does not cover names matching "${entry.name}": every client connecting by such a name will refuse it`);
    }
  }
  if (o.host) {
    // SNI selection as Express Gateway does it: globs in config order, then `default`.
    const chosen = entries.find((e) => e.name !== 'default' && globMatches(e.name, o.host!)) ?? entries.find((e) => e.name === 'default');
    const cert = chosen ? certs.get(chosen.name) : undefined;
    if (!chosen) add('error', tls, `a client dialling ${o.host} gets no certificate: no glob matches and there is no "default"`);
    else if (cert && cert.checkHost(o.host)) add('ok', chosen.keyNode, `${o.host} selects https.tls["${chosen.name}"], whose certificate covers it`);
    else if (cert) add('error', chosen.keyNode, `${o.host} selects https.tls["${chosen.name}"], whose certificate is for ${(cert.subjectAltName ?? cert.subject).replace(/\n/g, ', ')}, not ${o.host}`);
  }
  return out;
}
