import { expect } from 'chai';
import {
  type AgentContext,
  type Behavior,
  type Continuation,
  type Envelope,
  Protocol,
  type ProtocolEvent,
  type ProtocolHost,
  Role,
  type Runtime,
  createRuntime,
} from '@escher/core';
import { TwoPhaseCommit, type TwoPhaseNotification, isTwoPhaseNotification } from '../src';

/** A server application: refuses any action whose messages carry `refuse: true`; records what it runs. */
class ServerApp implements Behavior {
  readonly ran: unknown[] = [];
  readonly events: TwoPhaseNotification[] = [];
  receive(msg: Envelope): void {
    this.ran.push(msg.payload);
  }
  onEvent(e: ProtocolEvent): unknown {
    if (!isTwoPhaseNotification(e)) return undefined;
    this.events.push(e);
    if (e.type === 'query') return !e.messages.some((m) => (m.payload as { refuse?: boolean }).refuse === true);
    return undefined;
  }
}

/** The initiator's application: on a message `{ to: [...] }` runs one transaction sending to each. */
class InitiatorApp implements Behavior {
  readonly events: TwoPhaseNotification[] = [];
  constructor(private readonly tpc: () => TwoPhaseCommit) {}
  receive(msg: Envelope, ctx: AgentContext): void {
    const order = msg.payload as { sends: [string, unknown][]; plain?: [string, unknown][] };
    ctx.control(this.tpc().beginAction());
    for (const [dst, p] of order.sends) ctx.send(dst, p);
    for (const [dst, p] of order.plain ?? []) ctx.send(dst, p);
    ctx.control(this.tpc().endAction());
  }
  onEvent(e: ProtocolEvent): unknown {
    if (isTwoPhaseNotification(e)) this.events.push(e);
    return undefined;
  }
}

function world(voteTimeoutMs?: number) {
  const rt = createRuntime();
  let tpc!: TwoPhaseCommit;
  const lib = new InitiatorApp(() => tpc);
  const client = new ServerApp();
  const bank = new ServerApp();
  const outsider = new ServerApp();
  rt.spawn('/lib', lib);
  rt.spawn('/client', client);
  rt.spawn('/bank', bank);
  rt.spawn('/outsider', outsider);
  rt.spawn('/driver', () => {});
  tpc = new TwoPhaseCommit(rt, voteTimeoutMs === undefined ? { initiator: '/lib' } : { initiator: '/lib', voteTimeoutMs });
  tpc.addServer('/client');
  tpc.addServer('/bank');
  return { rt, tpc, lib, client, bank, outsider };
}

function order(rt: Runtime, sends: [string, unknown][], plain?: [string, unknown][]): void {
  rt.send('/driver', '/lib', plain === undefined ? { sends } : { sends, plain });
  rt.drain();
}

describe('TwoPhaseCommit', () => {
  describe('commit path', () => {
    it('should deliver every message of the transaction once all servers vote prepared', () => {
      const { rt, lib, client, bank } = world();
      order(rt, [['/bank', { charge: 10 }], ['/client', { receipt: 'movie' }]]);
      expect(bank.ran).to.deep.equal([{ charge: 10 }]);
      expect(client.ran).to.deep.equal([{ receipt: 'movie' }]);
      expect(bank.events.map((e) => e.type)).to.deep.equal(['query']);
      expect(lib.events.map((e) => e.type)).to.deep.equal(['committed']);
      expect(rt.counters.dropped).to.equal(0);
    });

    it('should keep messages back until the commit arrives', () => {
      const { rt, tpc, client, bank } = world();
      rt.control('/lib', tpc.beginAction());
      rt.send('/lib', '/bank', { charge: 1 });
      rt.drain();
      expect(bank.ran).to.deep.equal([]);
      rt.control('/lib', tpc.endAction());
      expect(bank.ran).to.deep.equal([]);
      rt.drain();
      expect(bank.ran).to.deep.equal([{ charge: 1 }]);
      expect(client.events).to.deep.equal([]); // only servers addressed in the transaction take part
    });

    it('should commit an empty transaction at once', () => {
      const { rt, lib } = world();
      order(rt, []);
      expect(lib.events.map((e) => e.type)).to.deep.equal(['committed']);
    });
  });

  describe('abort path', () => {
    it('should deliver nothing anywhere when one server refuses, and tell everyone', () => {
      const { rt, lib, client, bank } = world();
      order(rt, [['/bank', { charge: 1000, refuse: true }], ['/client', { receipt: 'movie' }]]);
      expect(bank.ran).to.deep.equal([]);
      expect(client.ran).to.deep.equal([]);
      const abort = lib.events.find((e) => e.type === 'abort');
      expect(abort?.type === 'abort' && abort.reason).to.match(/\/bank voted abort/);
      expect(abort?.type === 'abort' && abort.messages.map((m) => m.payload)).to.have.length(2);
      const clientAbort = client.events.find((e) => e.type === 'abort');
      expect(clientAbort?.type === 'abort' && clientAbort.messages.map((m) => m.payload)).to.deep.equal([{ receipt: 'movie' }]);
      expect(bank.events.map((e) => e.type)).to.deep.equal(['query', 'abort']);
    });

    it('should abort when a server stays silent past the vote timeout', async () => {
      const { rt, lib, bank } = world(20);
      rt.crash('/bank');
      order(rt, [['/bank', { charge: 1 }], ['/client', { receipt: 'x' }]]);
      expect(lib.events).to.deep.equal([]);
      await new Promise((r) => setTimeout(r, 60));
      await rt.idle();
      const abort = lib.events.find((e) => e.type === 'abort');
      expect(abort?.type === 'abort' && abort.reason).to.match(/votes missing/);
      expect(bank.ran).to.deep.equal([]);
    });
  });

  describe('outside transactions', () => {
    it('should pass messages sent outside a transaction at once', () => {
      const { rt, bank } = world();
      rt.send('/lib', '/bank', 'hello');
      rt.drain();
      expect(bank.ran).to.deep.equal(['hello']);
      expect(bank.events).to.deep.equal([]);
    });

    it('should pass messages to non-participants at once, even inside a transaction', () => {
      const { rt, outsider, bank } = world();
      order(rt, [['/bank', { charge: 1 }]], [['/outsider', 'not transactional']]);
      expect(outsider.ran).to.deep.equal(['not transactional']);
      expect(bank.ran).to.deep.equal([{ charge: 1 }]);
    });
  });

  describe('bad use and bad input', () => {
    it('should refuse nested beginAction and a lone endAction with a typed error', () => {
      const { rt, tpc } = world();
      rt.control('/lib', tpc.beginAction());
      expect(() => rt.control('/lib', tpc.beginAction())).to.throw(/beginAction while transaction 1 is open/);
      rt.control('/lib', tpc.endAction());
      expect(() => rt.control('/lib', tpc.endAction())).to.throw(/endAction without beginAction/);
    });

    it('should drop a transaction tag from an agent that is not the initiator', () => {
      const { rt, tpc, bank } = world();
      // /client is a participant but not the initiator: forge a commit from it.
      class Forger extends Role<TwoPhaseCommit> {
        protected override onTransmit(msg: Envelope, next: Continuation): void {
          msg.setTag(this.protocol.id, { k: 'commit', txn: 1 });
          next(msg);
        }
      }
      rt.install('/client', new Forger(tpc));
      rt.send('/client', '/bank', 'forged');
      rt.drain();
      expect(bank.ran).to.deep.equal([]);
      expect(rt.counters.byCode.get('ESCHER_PROTOCOL')).to.equal(1);
    });
  });

  describe('instances', () => {
    it('should run two independent instances on one agent', () => {
      const rt = createRuntime();
      const bank = new ServerApp();
      const shop = new ServerApp();
      const events: ProtocolEvent[] = [];
      rt.spawn('/bank', bank);
      rt.spawn('/shop', shop);
      rt.spawn('/lib', { receive() {}, onEvent: (e) => void events.push(e) });
      const payments = new TwoPhaseCommit(rt, { initiator: '/lib' });
      const orders = new TwoPhaseCommit(rt, { initiator: '/lib' });
      payments.addServer('/bank');
      orders.addServer('/shop');
      // Interleave two open transactions, one per instance; the orders one aborts.
      rt.control('/lib', payments.beginAction());
      rt.send('/lib', '/bank', { charge: 5 });
      rt.control('/lib', payments.endAction());
      rt.control('/lib', orders.beginAction());
      rt.send('/lib', '/shop', { item: 'x', refuse: true });
      rt.control('/lib', orders.endAction());
      rt.drain();
      expect(bank.ran).to.deep.equal([{ charge: 5 }]);
      expect(shop.ran).to.deep.equal([]);
      expect(events.map((e) => `${e.type}@${e.instance}`)).to.deep.equal([`committed@${payments.id}`, `abort@${orders.id}`]);
    });
  });

  describe('stacked with another protocol', () => {
    /** A second protocol: an audit role that records the kind of every message it sees go out. */
    class Audit extends Protocol<object> {
      constructor(host: ProtocolHost) {
        super(host, 'audit', {});
      }
      watch(path: string): Auditor {
        return this.assume(path, new Auditor(this));
      }
    }
    class Auditor extends Role<Audit> {
      readonly seen: string[] = [];
      protected override onTransmit(msg: Envelope, next: Continuation): void {
        const tags = msg.roleTags === undefined ? [] : Object.values(msg.roleTags);
        const k = (tags[0] as { k?: string } | undefined)?.k;
        this.seen.push(k ?? 'plain');
        next(msg);
      }
    }

    for (const auditFirst of [true, false]) {
      it(`should commit with the audit role ${auditFirst ? 'below' : 'above'} the initiator role`, () => {
        const rt = createRuntime();
        const bank = new ServerApp();
        let tpc!: TwoPhaseCommit;
        const lib = new InitiatorApp(() => tpc);
        rt.spawn('/lib', lib);
        rt.spawn('/bank', bank);
        rt.spawn('/driver', () => {});
        const audit = new Audit(rt);
        let auditor: Auditor;
        if (auditFirst) {
          auditor = audit.watch('/lib');
          tpc = new TwoPhaseCommit(rt, { initiator: '/lib' });
        } else {
          tpc = new TwoPhaseCommit(rt, { initiator: '/lib' });
          auditor = audit.watch('/lib');
        }
        audit.watch('/bank');
        tpc.addServer('/bank');
        rt.send('/driver', '/lib', { sends: [['/bank', { charge: 3 }]] });
        rt.drain();
        expect(bank.ran).to.deep.equal([{ charge: 3 }]);
        expect(lib.events.map((e) => e.type)).to.deep.equal(['committed']);
        // Below the initiator the audit sees what the application sent; above it, what the protocol put on the wire.
        expect(auditor.seen).to.deep.equal(auditFirst ? ['plain'] : ['txn', 'prepare', 'commit']);
        expect(rt.agent('/lib')?.stack).to.have.length(2);
      });
    }
  });
});
