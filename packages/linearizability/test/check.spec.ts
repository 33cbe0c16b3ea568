import { expect } from 'chai';
import { check, History, kv, register } from '../src';

/** A register history from [process, f, input, output, call, ret] rows with explicit times. */
function registerHistory(rows: [number, string, unknown, unknown, number, number | 'info'][]): History {
  const events: { t: number; apply: (h: History) => void }[] = [];
  for (const [p, f, input, output, call, ret] of rows) {
    events.push({ t: call, apply: (h) => h.invoke(p, f, input, call) });
    if (ret !== 'info') events.push({ t: ret, apply: (h) => h.ok(p, output, ret) });
  }
  const h = new History();
  for (const e of events.sort((a, b) => a.t - b.t)) e.apply(h);
  return h;
}

describe('check', () => {
  describe('register histories', () => {
    it('should accept an empty history', () => {
      const r = check(register, new History());
      expect(r.linearizable).to.equal(true);
      expect(r.partitions).to.have.length(1);
    });

    it('should accept sequential writes and reads of the latest value', () => {
      const h = registerHistory([
        [0, 'write', 1, null, 0, 1],
        [1, 'read', null, 1, 2, 3],
        [0, 'write', 2, null, 4, 5],
        [1, 'read', null, 2, 6, 7],
      ]);
      expect(check(register, h).linearizable).to.equal(true);
    });

    it('should reject a stale read', () => {
      const h = registerHistory([
        [0, 'write', 1, null, 0, 1],
        [0, 'write', 2, null, 2, 3],
        [1, 'read', null, 1, 4, 5],
      ]);
      expect(check(register, h).linearizable).to.equal(false);
    });

    it('should accept either order of two concurrent writes', () => {
      for (const seen of [1, 2]) {
        const h = registerHistory([
          [0, 'write', 1, null, 0, 3],
          [1, 'write', 2, null, 1, 4],
          [2, 'read', null, seen, 5, 6],
        ]);
        expect(check(register, h).linearizable, `read ${seen}`).to.equal(true);
      }
    });

    it('should reject two later reads that see the concurrent writes in both orders', () => {
      const h = registerHistory([
        [0, 'write', 1, null, 0, 3],
        [1, 'write', 2, null, 1, 4],
        [2, 'read', null, 1, 5, 6],
        [2, 'read', null, 2, 7, 8],
      ]);
      expect(check(register, h).linearizable).to.equal(false);
    });

    it('should accept a read concurrent with a write seeing either value', () => {
      for (const seen of [null, 1]) {
        const h = registerHistory([
          [0, 'write', 1, null, 0, 3],
          [1, 'read', null, seen, 1, 2],
        ]);
        expect(check(register, h).linearizable, `read ${String(seen)}`).to.equal(true);
      }
    });

    it('should explain a cas that returned false only by a value that did not match', () => {
      const fits = registerHistory([
        [0, 'write', 1, null, 0, 1],
        [1, 'cas', [2, 3], false, 2, 3],
        [1, 'read', null, 1, 4, 5],
      ]);
      expect(check(register, fits).linearizable).to.equal(true);
      const lies = registerHistory([
        [0, 'write', 2, null, 0, 1],
        [1, 'cas', [2, 3], false, 2, 3],
      ]);
      expect(check(register, lies).linearizable).to.equal(false);
    });
  });

  describe('unknown outcomes', () => {
    /** write 1 completes; process 1's write 2 times out (info); then reads by process 2. */
    function withInfoWrite(reads: number[]): History {
      const h = new History();
      h.invoke(0, 'write', 1);
      h.ok(0);
      h.invoke(1, 'write', 2);
      h.info(1);
      for (const v of reads) {
        h.invoke(2, 'read', null);
        h.ok(2, v);
      }
      return h;
    }

    it('should accept an info write that never took effect', () => {
      expect(check(register, withInfoWrite([1, 1])).linearizable).to.equal(true);
    });

    it('should accept an info write that took effect, even after it timed out', () => {
      expect(check(register, withInfoWrite([1, 2])).linearizable).to.equal(true);
      expect(check(register, withInfoWrite([2, 2])).linearizable).to.equal(true);
    });

    it('should reject an info write that took effect and then was undone', () => {
      expect(check(register, withInfoWrite([2, 1])).linearizable).to.equal(false);
    });

    it('should reject an info write seen before it was invoked', () => {
      const h = new History();
      h.invoke(2, 'read', null);
      h.ok(2, 2);
      h.invoke(1, 'write', 2);
      h.info(1);
      expect(check(register, h).linearizable).to.equal(false);
    });

    it('should treat an invocation that never returned like an info', () => {
      const h = new History();
      h.invoke(1, 'write', 2);
      h.invoke(2, 'read', null);
      h.ok(2, 2);
      expect(check(register, h).linearizable).to.equal(true);
    });

    it('should leave out a failed operation: it took no effect', () => {
      const h = new History();
      h.invoke(1, 'write', 2);
      h.fail(1);
      h.invoke(2, 'read', null);
      h.ok(2, 2);
      expect(check(register, h).linearizable).to.equal(false);
      expect(check(register, h).partitions[0].operations).to.equal(1);
    });
  });

  describe('kv histories', () => {
    it('should check keys independently and report the partition that fails', () => {
      const h = new History();
      h.invoke(0, 'append', { key: 'a', value: 'x' });
      h.invoke(1, 'append', { key: 'a', value: 'y' });
      h.ok(0, null);
      h.ok(1, null);
      h.invoke(0, 'get', { key: 'a' });
      h.ok(0, 'yx');
      h.invoke(0, 'put', { key: 'b', value: 'z' });
      h.ok(0, null);
      h.invoke(1, 'get', { key: 'b' });
      h.ok(1, '');
      const r = check(kv, h);
      expect(r.linearizable).to.equal(false);
      expect(r.partitions.map((p) => [p.label, p.linearizable])).to.deep.include.members([
        ['key "a"', true],
        ['key "b"', false],
      ]);
    });

    it('should accept operations given as an array', () => {
      const h = new History();
      h.invoke(0, 'append', { key: 'a', value: 'x' });
      h.ok(0, null);
      h.invoke(0, 'get', { key: 'a' });
      h.ok(0, 'x');
      expect(check(kv, h.operations()).linearizable).to.equal(true);
    });
  });

  describe('budgets', () => {
    /** Twenty concurrent appends, then a get no order of them can produce: refuting it means trying every order. */
    function hard(): History {
      const h = new History();
      for (let p = 0; p < 20; p++) h.invoke(p, 'append', { key: 'k', value: `<${p}>` });
      for (let p = 0; p < 20; p++) h.ok(p, null);
      h.invoke(99, 'get', { key: 'k' });
      h.ok(99, 'impossible');
      return h;
    }

    it('should return unknown instead of searching past the time budget', () => {
      const started = performance.now();
      const r = check(kv, hard(), { timeoutMs: 50 });
      expect(r.linearizable).to.equal('unknown');
      expect(r.timedOut).to.equal(true);
      expect(r.partitions[0].linearizable).to.equal('unknown');
      expect(performance.now() - started).to.be.below(5_000);
    });

    it('should return unknown instead of growing the memo past the memory budget', () => {
      const r = check(kv, hard(), { memoryMiB: 1 });
      expect(r.linearizable).to.equal('unknown');
      expect(r.outOfMemory).to.equal(true);
      expect(r.timedOut).to.equal(undefined);
    });
  });
});
