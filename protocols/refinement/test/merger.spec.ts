import { expect } from 'chai';
import { type AgentContext, type Continuation, createRuntime, type Envelope, Metaobject, type Runtime } from '@escher/core';
import { Manager, MergeGroupExpiredError, type Merger, type RefinementParams } from '../src';

/** Swallows every message that reaches it: installed under the merger, nothing merged is ever accepted. */
class Swallow extends Metaobject {
  swallowed: number[] = [];
  override deliver(msg: Envelope, _next: Continuation): void {
    this.swallowed.push(msg.id);
  }
}

/**
 * `/s` refined into `/s/1`, `/s/2`, `/s/3` with `waitForMatching: k`, and
 * `/d` physical, in one runtime drained by hand. `send(child, count)` makes
 * that child send its next `count` messages to `/d`.
 */
function world(k: number, params: Partial<RefinementParams>) {
  const rt: Runtime = createRuntime({ id: 'merger-test', autoRun: false });
  const mgr = new Manager(rt, { refinement: { reliable: false, ...params } });
  const ctxs = new Map<string, AgentContext>();
  mgr.refine('/s', {
    children: ['1', '2', '3'],
    merge: { waitForMatching: k },
    create: (child) => ({ onStart: (ctx: AgentContext) => void ctxs.set(child, ctx), receive: () => undefined }),
  });
  mgr.spawn('/d', () => undefined);
  const expired: number[] = [];
  rt.events$.subscribe((e) => {
    if (e.kind === 'error' && e.error instanceof MergeGroupExpiredError) expired.push(e.error.id);
  });
  const merger = mgr.refinement.rolesAt('/d').merger as Merger;
  const send = (child: string, count: number): void => {
    for (let i = 0; i < count; i++) (ctxs.get(`/s/${child}`) as AgentContext).send('/d', { v: 1 });
    rt.drain();
  };
  return { rt, merger, expired, send };
}

describe('Merger', () => {
  describe('recently completed groups', () => {
    it('should drop the late fragments of the last recentGroups groups, and reopen an older one', () => {
      const { rt, merger, send } = world(2, { recentGroups: 2 });
      const swallow = new Swallow();
      rt.install('/d', swallow, 'bottom');
      send('1', 3);
      send('2', 3);
      expect(swallow.swallowed).to.deep.equal([1, 2, 3]);
      expect(merger.merged).to.equal(3);
      // Groups 2 and 3 are remembered; group 1 was forgotten, so its late fragment opens a new group.
      send('3', 3);
      expect(merger.late).to.equal(2);
      expect(merger.openGroups).to.equal(1);
      rt.close();
    });

    it('should drop every late fragment while the recent list has room', () => {
      const { rt, merger, send } = world(2, {});
      rt.install('/d', new Swallow(), 'bottom');
      send('1', 50);
      send('2', 50);
      send('3', 50);
      expect(merger.merged).to.equal(50);
      expect(merger.late).to.equal(50);
      expect(merger.openGroups).to.equal(0);
      rt.close();
    });
  });

  describe('open groups', () => {
    it('should keep at most maxGroups open, expiring the oldest first', () => {
      const { rt, merger, expired, send } = world(3, { maxGroups: 2 });
      send('1', 3);
      expect(expired).to.deep.equal([1]);
      expect(merger.openGroups).to.equal(2);
      send('2', 3);
      // Group 1 reopens (evicting 2), then 2 (evicting 3), then 3 (evicting 1).
      expect(expired).to.deep.equal([1, 2, 3, 1]);
      send('3', 3);
      expect(expired).to.deep.equal([1, 2, 3, 1, 2, 3, 1]);
      expect(merger.expired).to.equal(7);
      expect(merger.openGroups).to.equal(2);
      expect(merger.merged).to.equal(0);
      rt.close();
    });

    it('should merge every message when fragments of many groups interleave', () => {
      const { rt, merger, send } = world(3, {});
      send('1', 100);
      send('2', 100);
      expect(merger.openGroups).to.equal(100);
      send('3', 100);
      expect(merger.merged).to.equal(100);
      expect(merger.openGroups).to.equal(0);
      expect(merger.expired).to.equal(0);
      rt.close();
    });
  });
});
