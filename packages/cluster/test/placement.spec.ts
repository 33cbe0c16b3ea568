import { expect } from 'chai';
import { PlacementError, placementOf } from '../src';

describe('placementOf', () => {
  it('should place refined children by name or path, and agents by their node', () => {
    const p = placementOf({
      entries: [
        { kind: 'refine', parent: '/kv', children: ['1', '2'], behavior: 'kv', nodes: { '1': 'a', '/kv/2': 'b' } },
        { kind: 'refine', parent: '/app', children: ['x'] },
        { kind: 'refine', parent: '/app/x', children: ['1'], behavior: 'app', nodes: { '1': 'a' } },
        { kind: 'agent', path: '/client', behavior: 'client', node: 'c' },
      ],
    });
    expect(Object.fromEntries([...p].map(([k, v]) => [k, [...v]]))).to.deep.equal({ a: ['/kv/1', '/app/x/1'], b: ['/kv/2'], c: ['/client'] });
  });

  it('should refuse a physical agent without a node, and a description without agents', () => {
    expect(() => placementOf({ entries: [{ kind: 'agent', path: '/c', behavior: 'c' }] })).to.throw(PlacementError);
    expect(() => placementOf({ entries: [{ kind: 'refine', parent: '/kv', children: ['1'], behavior: 'kv', nodes: { '2': 'a' } }] })).to.throw(PlacementError);
    expect(() => placementOf({ entries: [] })).to.throw(PlacementError);
  });
});
