import { Path } from '@escher/core';
import { expect } from 'chai';
import { NatsTestSystem, sorted, useNatsServer } from './helpers';

describe("NatsDiscovery learning 'reachable'", () => {
  const server = useNatsServer();
  let sys: NatsTestSystem;

  beforeEach(() => {
    sys = new NatsTestSystem(() => server().url);
  });

  afterEach(async () => {
    await sys.close();
  });

  // What an agent at /a/b/c may reach (sibling rule, minimum depths), and what it may not.
  const reachable: [string, string, number][] = [
    ['x1', '/x', 1],
    ['x2', '/x/y', 1],
    ['a1', '/a/q', 2],
    ['a2', '/a/q/r', 2],
    ['b1', '/a/b/z', 3],
    ['b2', '/a/b/z/w', 3],
  ];
  const unreachable: [string, string, number][] = [
    ['x3', '/x/z', 2],
    ['a3', '/a/q/r', 3],
    ['b3', '/a/b/z/w', 4],
  ];

  describe('learnReachableFrom', () => {
    it('should learn exactly the agents the hosted agents may reach, announced before or after', async () => {
      const others = await sys.discovery(['/x', '/a']);
      const c = await sys.discovery(['/a'], { learn: 'reachable' });
      const all = [...reachable, ...unreachable];
      const half = Math.floor(all.length / 2);
      for (const [id, path, md] of all.slice(0, half)) others.announce(id, Path.parse(path), md);
      await sys.settle();
      await c.learnReachableFrom('/a/b/c');
      c.announce('rc', Path.parse('/a/b/c'), 1);
      for (const [id, path, md] of all.slice(half)) others.announce(id, Path.parse(path), md);
      await sys.settle();
      expect(c.subscribedPatterns()).to.have.length(6);
      expect(sorted(c.learned().map((e) => e.runtime))).to.deep.equal(sorted(reachable.map(([id]) => id)));
      // The runtime that learns everything sees all of them (and c's own agent).
      const everything = await sys.discovery();
      await sys.settle();
      expect(everything.learned()).to.have.length(all.length + 1);
    });

    it('should not subscribe again for an agent whose patterns are already subscribed', async () => {
      const c = await sys.discovery(['/a'], { learn: 'reachable' });
      c.announce('rc', Path.parse('/a/b/c'), 1);
      c.announce('rc', Path.parse('/a/b/d'), 1);
      await sys.settle();
      expect(c.subscribedPatterns()).to.have.length(6);
    });
  });
});
