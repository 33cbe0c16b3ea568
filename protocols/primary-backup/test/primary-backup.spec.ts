import { expect } from 'chai';
import {
  type AgentContext,
  type Continuation,
  type DeterministicBehavior,
  type Envelope,
  Metaobject,
  ProtocolError,
  RoleRequirementError,
  type Runtime,
  createRuntime,
} from '@escher/core';
import { PrimaryBackup } from '../src';

/** A deterministic adder: replies with the running total. */
class Adder implements DeterministicBehavior {
  readonly deterministic = true;
  total = 0;
  receive(msg: Envelope, ctx: AgentContext): void {
    this.total += (msg.payload as { add: number }).add;
    ctx.reply(msg, { total: this.total });
  }
}

class ClientApp {
  readonly replies: Envelope[] = [];
  receive(msg: Envelope): void {
    this.replies.push(msg);
  }
  totals(): number[] {
    return this.replies.map((m) => (m.payload as { total: number }).total);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function settle(rt: Runtime, ms: number): Promise<void> {
  await rt.idle();
  await sleep(ms);
  await rt.idle();
}

function world(replicas = 2, timeoutMs = 20) {
  const rt = createRuntime();
  const apps: Adder[] = [];
  for (let i = 1; i <= replicas; i++) {
    const a = new Adder();
    apps.push(a);
    rt.spawn(`/kv/${i}`, a);
  }
  const client = new ClientApp();
  rt.spawn('/client', client);
  const pb = new PrimaryBackup(rt, { service: '/kv', timeoutMs });
  for (let i = 1; i <= replicas; i++) pb.addReplica(`/kv/${i}`);
  const clientRole = pb.addClient('/client');
  const request = (add: number) => rt.send('/client', '/kv', { add });
  return { rt, pb, apps, client, clientRole, request };
}

describe('PrimaryBackup', () => {
  describe('normal operation', () => {
    it('should answer once per request, from the service, with the backup tracking the primary', () => {
      const { rt, pb, apps, client, request } = world();
      for (let i = 1; i <= 5; i++) request(i);
      rt.drain();
      expect(client.totals()).to.deep.equal([1, 3, 6, 10, 15]);
      expect(client.replies.every((m) => m.src === '/kv')).to.equal(true);
      expect(apps[1]?.total).to.equal(15);
      expect(pb.replicaAt('/kv/2' as never)?.suppressed).to.equal(5);
      expect(pb.replicaAt('/kv/2' as never)?.held).to.equal(0);
      expect(rt.counters.dropped).to.equal(0);
    });
  });

  describe('primary crash', () => {
    it('should let the backup take over after the timeout, the client seeing one service throughout', async () => {
      const { rt, pb, client, request } = world(2, 20);
      request(1);
      request(2);
      rt.drain();
      rt.crash('/kv/1');
      request(3);
      request(4);
      rt.drain();
      expect(client.totals()).to.deep.equal([1, 3]);
      await settle(rt, 80);
      expect(pb.replicaAt('/kv/2' as never)?.mode).to.equal('primary');
      expect(client.totals()).to.deep.equal([1, 3, 6, 10]);
      expect(client.replies.map((m) => m.src)).to.deep.equal(['/kv', '/kv', '/kv', '/kv']);
      // Ids continue where the old primary left off, because the backup ran the same messages.
      expect(client.replies.map((m) => m.id)).to.deep.equal([1, 2, 3, 4]);
    });

    it('should answer again a request the old primary copied but died before answering, without a duplicate', async () => {
      const { rt, client, clientRole, request } = world(2, 20);
      request(1);
      rt.drain();
      // The primary loses its application's answers from now on, then dies: as if it crashed between copy and answer.
      class Mute extends Metaobject {
        override transmit(msg: Envelope, next: Continuation): void {
          if (msg.dst !== '/client') next(msg);
        }
      }
      rt.install('/kv/1', new Mute());
      request(2);
      rt.drain();
      expect(client.totals()).to.deep.equal([1]);
      rt.crash('/kv/1');
      request(3);
      rt.drain();
      await settle(rt, 80);
      expect(client.totals()).to.deep.equal([1, 3, 6]);
      expect(clientRole.duplicates).to.be.greaterThan(0); // the resent answer to request 1 was recognised
    });

    it('should have exactly one of two backups take over', async () => {
      const { rt, pb, client, apps, request } = world(3, 15);
      request(1);
      rt.drain();
      rt.crash('/kv/1');
      for (let i = 2; i <= 4; i++) request(i);
      rt.drain();
      await settle(rt, 100);
      expect(pb.replicaAt('/kv/2' as never)?.mode).to.equal('primary');
      expect(pb.replicaAt('/kv/3' as never)?.mode).to.equal('backup');
      expect(client.totals()).to.deep.equal([1, 3, 6, 10]);
      expect(apps[2]?.total).to.equal(10);
    });
  });

  describe('installation', () => {
    it('should refuse a replica whose application is not deterministic', () => {
      const rt = createRuntime();
      rt.spawn('/kv/1', { receive() {} });
      const pb = new PrimaryBackup(rt, { service: '/kv', timeoutMs: 10 });
      expect(() => pb.addReplica('/kv/1')).to.throw(RoleRequirementError, /deterministic/);
    });

    it('should refuse a replica outside the service and a non-positive timeout', () => {
      const rt = createRuntime();
      rt.spawn('/other', new Adder());
      const pb = new PrimaryBackup(rt, { service: '/kv', timeoutMs: 10 });
      expect(() => pb.addReplica('/other')).to.throw(ProtocolError, /child of the service/);
      expect(() => new PrimaryBackup(rt, { service: '/kv', timeoutMs: 0 })).to.throw(ProtocolError);
    });
  });

  describe('bad input', () => {
    it('should drop and count a malformed copy and a copy from a non-replica', () => {
      const { rt, pb, apps } = world();
      rt.spawn('/kv/evil', { receive() {} });
      // A malformed copy from a real replica path, and a well-formed one from a stranger.
      const forge = (from: string, payload: unknown) => {
        const m = rt.send(from, '/kv/2', payload);
        return m;
      };
      class Tagger extends Metaobject {
        override transmit(msg: Envelope, next: Continuation): void {
          msg.setTag(pb.id, { k: 'copy', seq: 99 });
          next(msg);
        }
      }
      rt.install('/kv/evil', new Tagger());
      forge('/kv/evil', { id: 1, src: '/client', dst: '/kv', payload: { add: 100 } });
      rt.install('/kv/1', new Tagger(), 'bottom');
      forge('/kv/1', { id: 'x' });
      rt.drain();
      expect(apps[1]?.total).to.equal(0);
      expect(rt.counters.byCode.get('ESCHER_PROTOCOL')).to.equal(1);
      expect(rt.counters.byCode.get('ESCHER_MALFORMED_MESSAGE')).to.equal(1);
    });
  });
});
