// Name constraints (RFC 5280 §4.2.1.10) as a CA declares them: the extension openssl reads, the
// refusal of a leaf outside them by openssl's own verification, and bad entries refused at load.
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { needPeer, runScenariosHere, scratchDir, validateText } from './helpers.ts';

t.test('a constrained CA: openssl sees a critical extension, accepts the leaf inside and refuses the ones outside', async (t) => {
  if (!needPeer(t, 'openssl')) return;
  const dir = scratchDir(t);
  const file = join(dir, 'constraints.yaml');
  const verify = (leaf: string) => `[openssl, verify, -CAfile, "{{root.certFile}}", -untrusted, "{{ca.certFile}}", "{{${leaf}.certFile}}"]`;
  writeFileSync(file, [
    'scenario: name constraints',
    'pki:',
    '  root: { subject: "/CN=Root", key: ec-p256 }',
    '  ca: { issuer: root, usage: ca, subject: "/CN=Constrained", key: ec-p256, nameConstraints: { permitted: [example.test, 10.0.0.0/8], excluded: [bad.example.test] } }',
    '  inside: { issuer: ca, subject: "/CN=www.example.test", san: [www.example.test, 10.1.2.3], key: ec-p256 }',
    '  outside: { issuer: ca, subject: "/CN=www.other.test", san: [www.other.test], key: ec-p256 }',
    '  excluded: { issuer: ca, subject: "/CN=x.bad.example.test", san: [x.bad.example.test], key: ec-p256 }',
    '  wrong-ip: { issuer: ca, subject: "/CN=www.example.test", san: [www.example.test, 192.168.1.1], key: ec-p256 }',
    'steps:',
    '  - exec: [openssl, x509, -in, "{{ca.certFile}}", -noout, -ext, nameConstraints]',
    '    expect: { stdout: { matches: "Name Constraints: critical\\\\s+Permitted:\\\\s+DNS:example.test\\\\s+IP:10.0.0.0/255.0.0.0\\\\s+Excluded:\\\\s+DNS:bad.example.test" } }',
    `  - exec: ${verify('inside')}`,
    `  - exec: ${verify('outside')}`,
    '    expect: { exit: 2, stderr: { contains: "permitted subtree violation" } }',
    `  - exec: ${verify('excluded')}`,
    '    expect: { exit: 2, stderr: { contains: "excluded subtree violation" } }',
    `  - exec: ${verify('wrong-ip')}`,
    '    expect: { exit: 2, stderr: { contains: "permitted subtree violation" } }',
  ].join('\n') + '\n');
  const { result, failures } = await runScenariosHere([file], { env: { TMPDIR: dir } });
  t.same(failures, []);
  t.equal(result.counts.passed, 5);
});

t.test('an entry that is neither a DNS name nor an IP range is one line at load', async (t) => {
  const r = await validateText(t, 'scenario: bad\npki:\n  ca: { nameConstraints: { permitted: [10.0.0.1], excluded: ["a b"] } }\nsteps: []\n', 'bad.yaml');
  t.equal(r.code, 2);
  t.match(r.stderr, /bad\.yaml:3:\d+: .*10\.0\.0\.1 is an address: an IP constraint is a range \(10\.0\.0\.1\/32\)/);
  t.match(r.stderr, /bad\.yaml:3:\d+: .*a b is neither a DNS name nor an IP range/);
});
