// A kind is declared once: its spec type is inferred from its schema and its result type from
// its `expect` fields. The @ts-expect-error lines below are checked by the compiler (npm test
// builds first): if inference stopped, they would no longer be errors and the build would fail.
import t from 'tap';
import { s, type Infer } from '../src/scenario/schema.ts';
import { matcher, fields, type ResultOf } from '../src/expect/vocabulary.ts';
import { defineStep, type SpecOf } from '../src/steps/types.ts';
import { revokeStep } from '../src/steps/revoke.ts';
import { httpsStep } from '../src/steps/https.ts';

const schema = s.object({ name: s.string(), port: s.integer(), mode: s.enum(['a', 'b']), tags: s.array(s.string()) }, { required: ['name'] });
type Spec = Infer<typeof schema>;

t.test('a schema gives its spec type: required fields, optional ones, enums, lists', async (t) => {
  const ok: Spec = { name: 'x', port: 1, mode: 'a', tags: ['t'] };
  // @ts-expect-error name is required
  const missing: Spec = { port: 1 };
  // @ts-expect-error mode is one of the enum's values
  const badEnum: Spec = { name: 'x', mode: 'c' };
  // @ts-expect-error port is a number
  const badType: Spec = { name: 'x', port: '1' };
  t.ok(ok && missing && badEnum && badType);
});

t.test('a step kind reads its spec from its schema and its result from expect', async (t) => {
  const revoke: SpecOf<typeof revokeStep> = { item: 'client', reason: 'keyCompromise' };
  // @ts-expect-error reason is an RFC 5280 CRLReason
  const badReason: SpecOf<typeof revokeStep> = { item: 'client', reason: 'lost' };
  const https: SpecOf<typeof httpsStep> = { url: 'https://localhost', maxVersion: 'TLSv1.2' };
  // @ts-expect-error a TLS version the schema does not list
  const badVersion: SpecOf<typeof httpsStep> = { url: 'https://localhost', maxVersion: 'SSLv3' };
  t.ok(revoke && badReason && https && badVersion);

  const expect = { status: matcher('number'), tls: fields({ protocol: matcher('string') }) };
  const result: ResultOf<typeof expect> = { status: 200, tls: { protocol: 'TLSv1.3' } };
  // @ts-expect-error status is declared as a number
  const badResult: ResultOf<typeof expect> = { status: '200' };
  t.ok(result && badResult);
});

t.test('defineStep checks what execute returns against the declared result fields', async (t) => {
  const kind = defineStep({
    kind: 'example',
    summary: 'an example',
    schema: s.object({ greeting: s.string() }, { required: ['greeting'] }),
    expect: { length: matcher('number') },
    // @ts-expect-error length is declared as a number, and greeting is a string
    async execute(spec) {
      return { length: spec.greeting };
    },
  });
  t.equal(kind.kind, 'example');
  t.same(await kind.execute({ greeting: 'hi' }, {} as never), { length: 'hi' }, 'at run time it is the declaration it was given');
});
