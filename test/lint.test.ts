// Lint findings, one case per id, on certificates the PKI engine makes deliberately wrong.
import t from 'tap';
import { buildPki, type PkiDecl, type CertificateItem } from '../src/pki/build.ts';
import { lint, LINT_IDS } from '../src/pki/lint.ts';
import { generateKey } from '../src/pki/keys.ts';
import { tempDir } from './helpers.ts';

const cert = (spec: Record<string, unknown>): PkiDecl => ({ kind: 'default', spec });

t.test('each finding on the certificate that deserves it', async (t) => {
  const dir = tempDir();
  const items = (await buildPki(
    {
      ca: cert({ subject: 'CN=CA', key: 'ec-p256' }),
      inter: cert({ issuer: 'ca', subject: 'CN=Inter', usage: 'ca', key: 'ec-p256' }),
      notca: cert({ issuer: 'ca', subject: 'CN=Not a CA', usage: 'server', key: 'ec-p256' }),
      undernotca: cert({ issuer: 'notca', subject: 'CN=under', usage: 'server', key: 'ec-p256' }),
      weak: cert({ issuer: 'ca', subject: 'CN=weak.example', key: 'rsa-1024', hash: 'sha1', san: ['weak.example'] }),
      nosan: cert({ issuer: 'ca', subject: 'CN=www.example.org', key: 'ec-p256' }),
      old: cert({ issuer: 'ca', subject: 'CN=old', notBefore: '-30d', notAfter: '-1d', san: ['old'], key: 'ec-p256' }),
      soon: cert({ issuer: 'ca', subject: 'CN=soon', days: 10, san: ['soon'], key: 'ec-p256' }),
      future: cert({ issuer: 'ca', subject: 'CN=future', notBefore: '+1d', days: 30, san: ['future'], key: 'ec-p256' }),
      long: cert({ issuer: 'ca', subject: 'CN=long', days: 825, san: ['long'], key: 'ec-p256' }),
      server: cert({ issuer: 'inter', subject: 'CN=localhost', san: ['localhost'], key: 'ec-p256' }),
      serverOnly: cert({ issuer: 'ca', subject: 'CN=api-client', usage: 'server', key: 'ec-p256' }),
      clientOnly: cert({ issuer: 'ca', subject: 'CN=svc', usage: 'client', key: 'ec-p256' }),
      s1: cert({ issuer: 'ca', subject: 'CN=s1', serial: '01', san: ['s1'], key: 'ec-p256' }),
      s2: cert({ issuer: 'ca', subject: 'CN=s2', serial: '01', san: ['s2'], key: 'ec-p256' }),
    },
    { workDir: dir, scenarioDir: dir },
  )) as Record<string, CertificateItem>;
  const c = (n: string) => items[n]!.certificate;
  const ids = (files: Parameters<typeof lint>[0]['files'], extra: Partial<Parameters<typeof lint>[0]> = {}) => lint({ files, ...extra }).map((f) => f.id);

  t.strictSame(ids([{ label: 'weak', certificates: [c('weak')] }]), ['rsa-key-too-small', 'sha1-signature']);
  t.strictSame(ids([{ label: 'nosan', certificates: [c('nosan')] }]), ['no-san']);
  t.strictSame(ids([{ label: 'old', certificates: [c('old')] }]), ['expired']);
  t.strictSame(ids([{ label: 'soon', certificates: [c('soon')] }]), ['expiring-soon']);
  t.strictSame(ids([{ label: 'soon', certificates: [c('soon')] }], { expiringWithinDays: 5 }), [], 'the window is configurable');
  t.strictSame(ids([{ label: 'future', certificates: [c('future')] }]), ['not-yet-valid']);
  t.strictSame(ids([{ label: 'long', certificates: [c('long')] }]), ['server-validity-too-long']);
  t.strictSame(ids([{ label: 'chain', certificates: [c('server'), c('inter'), c('ca')] }], { host: 'localhost' }), [], 'a good chain, in order, for its host');
  t.strictSame(ids([{ label: 'chain', certificates: [c('server'), c('ca'), c('inter')] }]), ['chain-out-of-order']);
  t.strictSame(ids([{ label: 'chain', certificates: [c('server'), c('inter')] }], { roots: [c('ca')] }), [], 'leaf + intermediate reaching a trusted root: what a server sends');
  t.strictSame(ids([{ label: 'chain', certificates: [c('server')] }], { roots: [c('ca')] }), ['chain-incomplete'], 'the intermediate is missing');
  t.strictSame(ids([{ label: 'chain', certificates: [c('undernotca'), c('notca')] }]), ['ca-without-basic-constraints']);
  t.strictSame(ids([{ label: 'server', certificates: [c('server')] }], { host: 'example.org' }), ['host-mismatch']);
  t.strictSame(ids([{ label: 'server', certificates: [c('server')] }], { host: '127.0.0.1' }), ['host-mismatch'], 'an IP host is checked against IP SANs');
  t.strictSame(ids([{ label: 'x', certificates: [c('serverOnly')], role: 'client' }]), ['client-without-client-auth']);
  t.strictSame(ids([{ label: 'x', certificates: [c('clientOnly')], role: 'server' }]), ['server-without-server-auth']);
  t.strictSame(ids([{ label: 's1', certificates: [c('s1')] }, { label: 's2', certificates: [c('s2')] }]), ['duplicate-serial']);
  const other = await generateKey('ec-p256');
  t.strictSame(ids([{ label: 'k', certificates: [c('server')], key: other.object }]), ['key-mismatch']);
  t.strictSame(ids([{ label: 'k', certificates: [c('server')], key: items.server!.key!.object }]), []);
  const messages = lint({ files: [{ label: 'weak', certificates: [c('weak')] }] });
  t.match(messages[0]!.message, /RSA key of 1024 bits: OpenSSL at security level 2 refuses it \("ee key too small"\)/);
  t.ok(LINT_IDS.length >= 16);
});
