import t from 'tap';
import { findRefs, findMalformed, interpolate, interpolateString, UnresolvedReferenceError } from '../src/scenario/interpolate.ts';
import { runCli } from './helpers.ts';

const scope = (root: string, prop?: string) => {
  const data: Record<string, Record<string, string | number>> = { client: { certFile: '/w/client.crt' }, upstream: { port: 8443, url: 'https://127.0.0.1:8443' } };
  if (root === 'workDir') return '/w';
  return prop ? data[root]?.[prop] : undefined;
};

t.test('finds references with their offsets', async (t) => {
  t.strictSame(findRefs('curl --cert {{client.certFile}} {{ upstream.url }}/x'), [
    { expr: 'client.certFile', root: 'client', prop: 'certFile', offset: 12 },
    { expr: 'upstream.url', root: 'upstream', prop: 'url', offset: 32 },
  ]);
  t.strictSame(findRefs('{{workDir}}/a'), [{ expr: 'workDir', root: 'workDir', offset: 0 }]);
  t.strictSame(findRefs('literal {{{{ not a ref'), [], 'escaped braces are not references');
});

t.test('reports malformed references', async (t) => {
  t.strictSame(findMalformed('a {{ client certFile }} b'), [2]);
  t.strictSame(findMalformed('{{client.certFile}} and {{{{'), []);
  t.strictSame(findMalformed('{{}}'), [0]);
});

t.test('substitutes values, numbers as text, escapes', async (t) => {
  t.equal(interpolateString('{{upstream.url}}/hello/world', scope), 'https://127.0.0.1:8443/hello/world');
  t.equal(interpolateString('port {{upstream.port}}', scope), 'port 8443');
  t.equal(interpolateString('{{{{x}}', scope), '{{x}}');
  t.equal(interpolateString('{{workDir}}/ca.crt', scope), '/w/ca.crt');
});

t.test('interpolates deeply without touching non-strings', async (t) => {
  const spec = { args: ['--cert', '{{client.certFile}}'], n: 3, on: true, nested: { url: '{{upstream.url}}' } };
  t.strictSame(interpolate(spec, scope), { args: ['--cert', '/w/client.crt'], n: 3, on: true, nested: { url: 'https://127.0.0.1:8443' } });
  t.strictSame(spec.args[1], '{{client.certFile}}', 'the input is not modified');
});

t.test('an unresolved reference at run time is an error naming it', async (t) => {
  t.throws(() => interpolateString('{{client.keyFile}}', scope), UnresolvedReferenceError);
  t.throws(() => interpolateString('{{client.keyFile}}', scope), { message: '{{client.keyFile}} has no value at this point of the run' });
});

t.test('PKI declarations get their {{refs}} filled in: vars, env, and an item declared after them', async (t) => {
  const r = await runCli(['run', 'test/fixtures/scenarios/pki-refs.yaml', '--reporter', 'tap'], { env: { CERTHARNESS_TEST_HOST: 'host.example' } });
  t.equal(r.code, 0, r.stdout);
  t.match(r.stdout, /# tests 1: passed 1, failed 0/);
});
