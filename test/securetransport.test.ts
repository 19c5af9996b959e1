// The Secure Transport curl emulation against its rule table (docs/macos-curl.md):
// one case per rule, with the expected lines, OSStatus and exit code.
import t from 'tap';
import { parseCertParameter, parseCurlArgs } from '../src/clients/curl-emulation/cert-arg.ts';
import { emulateSecureTransport, type Keychain, type EmulationOutcome } from '../src/clients/curl-emulation/securetransport.ts';
import { buildPki, type PkiDecl } from '../src/pki/build.ts';
import { writePkcs12 } from '../src/pki/pkcs12/write.ts';
import { PKCS12_PROFILES, type Pkcs12Protection } from '../src/pki/pkcs12/profiles.ts';
import { tempDir } from './helpers.ts';
import { readFileSync } from 'node:fs';

const empty = (): Keychain => ({ identities: [], certificates: [] });

t.test('R1: --cert splits at the first unescaped colon', async (t) => {
  t.strictSame(parseCertParameter('client.p12:pass'), { name: 'client.p12', password: 'pass' });
  t.strictSame(parseCertParameter('client.p12'), { name: 'client.p12' });
  t.strictSame(parseCertParameter('client.p12:'), { name: 'client.p12' }, 'an empty password is none');
  t.strictSame(parseCertParameter('c\\:\\\\x.p12:p:w'), { name: 'c:\\x.p12', password: 'p:w' });
  t.strictSame(parseCertParameter('dir\\x.p12'), { name: 'dir\\x.p12' }, 'other escapes are kept');
  t.strictSame(parseCertParameter('pkcs11:token=a;object=b'), { name: 'pkcs11:token=a;object=b' });
  const a = parseCurlArgs(['-vsk', '--cert', 'c.p12:one', '--pass', 'two', 'https://x/']);
  t.equal(a.password, 'two', '--pass after --cert wins');
  t.ok(a.verbose && a.silent);
  t.strictSame(a.rest, ['-vsk', 'https://x/']);
});

t.test('the rules, case by case', async (t) => {
  const dir = tempDir();
  const items = await buildPki(
    { ca: { kind: 'default', spec: { subject: 'CN=CA', key: 'ec-p256' } }, client: { kind: 'default', spec: { issuer: 'ca', subject: 'CN=client', usage: 'client', key: 'ec-p256' } } } as Record<string, PkiDecl>,
    { workDir: dir, scenarioDir: dir },
  );
  const client = items.client as Extract<(typeof items)[string], { kind: 'certificate' }>;
  const p12 = (protection: Pkcs12Protection, password = 'pass') => Buffer.from(writePkcs12({ keyPkcs8: client.key!.pkcs8, certificates: [new Uint8Array(client.certificate.rawData)], password, friendlyName: 'client', protection }));
  const files: Record<string, Buffer> = {
    'client.crt': readFileSync(client.props.certFile!),
    'modern.p12': p12(PKCS12_PROFILES.modern),
    'legacy.p12': p12(PKCS12_PROFILES.legacy),
    'nomac.p12': p12({ ...PKCS12_PROFILES.legacy, mac: 'none' }),
    'pbes2-sha1.p12': p12({ ...PKCS12_PROFILES.modern, mac: 'sha1' }),
    'junk.p12': Buffer.from([0x30, 0x03, 0x02, 0x01, 0x05]),
  };
  const run = (args: string[], curlVersion: string, keychain = empty()): EmulationOutcome => emulateSecureTransport(parseCurlArgs(args), { curlVersion, keychain, readFile: (p) => files[p] });
  const failure = (o: EmulationOutcome) => (o.kind === 'failed' ? { status: o.osStatus, message: o.message, exit: o.exit, lines: o.lines } : { kind: o.kind });
  const withKey: Keychain = { identities: [{ cn: 'client', hasKey: true, certPem: client.props.pem!, keyPem: client.props.keyPem! }], certificates: [] };

  // R2
  t.strictSame(run(['--pass', '', '--cert', 'legacy.p12'], '8.6.0'), { kind: 'usage-error', stderr: "curl: option --pass: blank argument where content is expected\ncurl: try 'curl --help' or 'curl --manual' for more information\n", exit: 2 });
  t.match(failure(run(['--pass', '', '--cert', 'legacy.p12'], '8.5.0')), { status: -25260 }, 'before 8.6 a blank --pass is no password');
  // R3, R6 (prefix before 7.78), R8a: the document's transcript on the second run
  const first = run(['--key', 'client.key', '--cert', 'client.crt'], '7.58.0');
  t.match(failure(first), { status: 0, message: 'SSL: Can\'t load the certificate "client.crt" and its private key: OSStatus 0' });
  const second = run(['--key', 'client.key', '--cert', 'client.crt'], '7.58.0', (first as { keychain: Keychain }).keychain);
  t.strictSame(failure(second), {
    status: -25299,
    message: 'SSL: Can\'t load the certificate "client.crt" and its private key: OSStatus -25299',
    exit: 58,
    lines: ['WARNING: SSL: CURLOPT_SSLKEY is ignored by Secure Transport. The private key must be in the Keychain.', 'WARNING: SSL: Certificate type not set, assuming PKCS#12 format.'],
  });
  t.match(failure(run(['--cert', 'client.crt'], '7.54.0')), { message: 'Segmentation fault: 11', exit: 139 }, '7.54.0 and older crash on the first run');
  t.match(failure(run(['--cert', 'client.crt'], '7.59.0')), { status: -25300, message: 'SSL: Can\'t find the certificate "client.crt" and its private key in the Keychain.' });
  t.match(failure(run(['--cert', 'client.crt'], '7.78.0')), { lines: ['SSL: Certificate type not set, assuming PKCS#12 format.'] }, 'no WARNING prefix from 7.78');
  // R7
  t.match(failure(run(['--cert-type', 'PEM', '--cert', 'client.crt'], '7.78.0')), { message: 'SSL: The Security framework only supports loading identities that are in PKCS#12 format.', exit: 58 });
  t.match(failure(run(['--cert-type', 'PEM', '--cert', 'client.crt'], '7.77.0')), { lines: ['WARNING: SSL: The Security framework only supports loading identities that are in PKCS#12 format.'], status: -25300 });
  t.match(failure(run(['--cert-type', 'p12', '--cert', 'legacy.p12:pass'], '7.77.0')), { lines: ['WARNING: SSL: The Security framework only supports loading identities that are in PKCS#12 format.'] }, 'the old check is a case-sensitive prefix');
  // R8b, R8g
  t.match(failure(run(['--cert', 'legacy.p12'], '7.59.0')), { status: -25260, message: 'SSL The certificate "legacy.p12" requires a password.' });
  t.match(failure(run(['--cert', 'legacy.p12'], '7.58.0')), { status: -25264 }, 'before 7.59 no password reads as an incorrect one');
  // R8c
  t.match(failure(run(['--cert', 'junk.p12:pass'], '7.64.1')), { status: -25257, message: 'SSL: Couldn\'t make sense of the data in the certificate "junk.p12" and its private key.' });
  t.match(failure(run(['--cert', 'nomac.p12:pass'], '7.64.1')), { status: -25257 });
  // R8d
  t.match(failure(run(['--cert', 'legacy.p12:wrong'], '7.64.1')), { status: -25264, message: 'SSL: Incorrect password for the certificate "legacy.p12" and its private key.' });
  t.match(failure(run(['--cert', 'modern.p12:pass'], '7.64.1')), { status: -25264 }, 'a SHA-256 MAC fails as a wrong password');
  // R8e (predicted)
  t.match(failure(run(['--cert', 'pbes2-sha1.p12:pass'], '7.64.1')), { status: -67747 });
  // R8f
  t.match(failure(run(['--cert', 'legacy.p12:pass'], '7.64.1')), { status: -25300 }, 'decoded, but the key is not in the Keychain');
  const ok = run(['-v', '--cert', 'legacy.p12:pass'], '7.64.1', withKey);
  t.equal(ok.kind, 'identity');
  t.strictSame((ok as { lines: string[] }).lines, ['WARNING: SSL: Certificate type not set, assuming PKCS#12 format.', 'Client certificate: client']);
  // Before 7.59 the import adds the identity to the Keychain.
  const imported = run(['--cert', 'legacy.p12:pass'], '7.58.0');
  t.equal(imported.kind, 'identity');
  t.strictSame((imported as { keychain: Keychain }).keychain.identities.map((i) => i.cn), ['client']);
  // R5: from 7.78 the Keychain first, by exact CN
  t.equal(run(['--cert', 'client'], '7.78.0', withKey).kind, 'identity');
  t.match(failure(run(['--cert', 'Client'], '7.78.0', withKey)), { status: 1, message: 'SSL: Can\'t load the certificate "Client" and its private key: OSStatus 1' }, 'case-sensitive');
  t.match(failure(run(['--cert', 'client'], '7.78.0')), { status: -25300 }, 'an empty Keychain');
  // R9: 8.9 says cannot
  t.match(failure(run(['--cert', 'client'], '8.9.0')), { message: 'SSL: cannot find the certificate "client" and its private key in the Keychain.' });
  // R11
  t.equal(run(['--cert', 'legacy.p12:pass'], '8.15.0').kind, 'not-applicable');
});
