import t from 'tap';
import { evaluate, check } from '../src/expect/evaluate.ts';

const result = { exit: 0, stdout: 'hello world\n', stderr: '', durationMs: 120, tls: { protocol: 'TLSv1.3', alert: 'certificate_required' }, list: ['a', 'b'] };

t.test('bare values mean equals, with YAML-friendly scalar comparison', async (t) => {
  t.ok(check('exit', 0, 0).ok);
  t.ok(check('serial', '01', 1).ok === false, '"01" is not the number 1 as text');
  t.ok(check('status', 200, '200').ok, 'a number matches its text');
  t.notOk(check('exit', 0, 1).ok);
  t.equal(check('exit', 0, 1).message, 'exit: expected equals 0, got 1');
});

t.test('matchers', async (t) => {
  t.ok(check('stdout', { contains: 'world' }, result.stdout).ok);
  t.notOk(check('stdout', { contains: 'mars' }, result.stdout).ok);
  t.ok(check('stdout', { matches: '^hello\\s' }, result.stdout).ok);
  t.ok(check('stdout', { matches: '/HELLO/i' }, result.stdout).ok, 'regex flags');
  t.ok(check('stdout', { not: { contains: 'error' } }, result.stdout).ok);
  t.notOk(check('stdout', { not: { contains: 'hello' } }, result.stdout).ok);
  t.ok(check('d', { lt: 200, gte: 120 }, 120).ok, 'several matchers all hold');
  t.notOk(check('d', { lt: 100 }, 120).ok);
  t.equal(check('d', { lt: 100 }, 120).message, 'd: expected < 100, got 120');
  t.ok(check('p', { oneOf: ['TLSv1.2', 'TLSv1.3'] }, 'TLSv1.3').ok);
  t.ok(check('x', { exists: false }, undefined).ok);
  t.notOk(check('x', { exists: true }, null).ok);
  t.ok(check('list', { contains: 'b' }, result.list).ok, 'list contains an item');
  t.ok(check('list', { length: 2 }, result.list).ok);
  t.ok(check('s', { length: { gt: 3 } }, 'hello').ok);
  t.notOk(check('n', { lt: 5 }, 'not a number').ok, 'comparisons need numbers');
});

t.test('nested groups and missing fields', async (t) => {
  const a = evaluate({ exit: 0, tls: { protocol: 'TLSv1.3', alert: { contains: 'required' } } }, result);
  t.strictSame(a.map((x) => [x.path, x.ok]), [['exit', true], ['tls.protocol', true], ['tls.alert', true]]);
  const b = evaluate({ error: { code: 'ECONNREFUSED' } }, result);
  t.equal(b[0]!.path, 'error.code');
  t.notOk(b[0]!.ok, 'expecting an error that did not happen fails');
  t.equal(b[0]!.message, 'error.code: expected equals "ECONNREFUSED", got nothing');
});

t.test('long actual values are truncated for display', async (t) => {
  const a = check('stdout', { contains: 'zzz' }, 'x'.repeat(5000));
  t.ok(String(a.actual).length < 500);
  t.match(String(a.actual), /5000 chars/);
});
