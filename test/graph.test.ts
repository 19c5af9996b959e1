// The one topological sort the loader and the PKI builder share.
import t from 'tap';
import { dependencyOrder } from '../src/util/graph.ts';

t.test('every node comes after the nodes it depends on', async (t) => {
  const { order, cycle } = dependencyOrder({ leaf: ['inter'], inter: ['root'], root: [], bundle: ['leaf', 'root'] });
  t.equal(cycle, undefined);
  t.strictSame(order, ['root', 'inter', 'leaf', 'bundle']);
});

t.test('names that are not nodes are ignored', async (t) => {
  t.strictSame(dependencyOrder({ a: ['elsewhere'] }).order, ['a']);
});

t.test('the first cycle is returned as a path that ends where it began', async (t) => {
  const { cycle } = dependencyOrder({ a: ['b'], b: ['c'], c: ['a'], d: [] });
  t.strictSame(cycle, ['a', 'b', 'c', 'a']);
});
