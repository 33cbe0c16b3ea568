import { expect } from 'chai';
import {
  type Codec,
  type Continuation,
  Envelope,
  FRAME_VERSION,
  type Frame,
  InvalidIncarnationError,
  JsonCodec,
  MemoryDiscovery,
  MemoryNetwork,
  Metaobject,
  type Network,
  Path,
  StaleIncarnationError,
  type WireMessage,
  createRuntime,
} from '../src';
import { Recorder } from './helpers';

const A = Path.parse('/a');
const B = Path.parse('/b');

/** A JSON codec that keeps every frame it encodes. */
class RecordingCodec extends JsonCodec {
  readonly frames: Frame[] = [];
  override encode(frame: Frame): Uint8Array {
    this.frames.push(JSON.parse(JSON.stringify(frame)) as Frame);
    return super.encode(frame);
  }
}

/** Consumes everything delivered to its agent (as a protocol role consumes its own messages) and records the verdicts. */
class Consumer extends Metaobject {
  readonly verdicts: boolean[] = [];
  override deliver(msg: Envelope): void {
    this.verdicts.push(this.ctx.consume(msg));
  }
}

/** Answers the done-box questions a role may ask about each delivered message, then passes it on. */
class Asker extends Metaobject {
  readonly answers: { hasAccepted: boolean; superseded: boolean }[] = [];
  override deliver(msg: Envelope, next: Continuation): void {
    this.answers.push({ hasAccepted: this.ctx.hasAccepted(msg), superseded: this.ctx.superseded(msg) });
    next(msg);
  }
}

/** Sends, from its layer, an envelope built by hand (as the outbox builds its ACKs): no incarnation set. */
class HandBuilt extends Metaobject {
  send(dst: Path): void {
    this.ctx.transmit(new Envelope(99, this.ctx.self, dst, 'by hand'));
  }
}

/** One runtime hosting /b, and a raw peer that speaks for /a with whatever ids and incarnations a test wants, synchronously. */
function rawPeer() {
  let receive: ((from: string, bytes: Uint8Array) => void) | undefined;
  const network: Network = {
    attach: (_id, r) => {
      receive = r;
      return { send: () => {}, close: () => {} };
    },
  };
  const rt = createRuntime({ id: 'rt', network, discovery: new MemoryDiscovery(), autoRun: false });
  const codes: string[] = [];
  rt.events$.subscribe((e) => e.kind === 'dropped' && codes.push(e.reason.code));
  const codec = new JsonCodec();
  const send = (...messages: WireMessage[]) => {
    receive?.('peer', codec.encode({ v: FRAME_VERSION, from: 'peer', messages }));
    rt.drain();
  };
  const msg = (id: number, inc: number | undefined, payload: unknown = `${id}~${inc ?? 0}`): WireMessage =>
    inc === undefined ? { id, src: '/a', dst: '/b', payload } : { id, src: '/a', dst: '/b', payload, inc };
  return { rt, codes, send, msg };
}

describe('incarnations', () => {
  describe('spawn', () => {
    it('should start an agent as incarnation 0 unless told otherwise', () => {
      const rt = createRuntime();
      expect(rt.spawn('/a', new Recorder()).incarnation).to.equal(0);
      expect(rt.spawn('/b', new Recorder(), { incarnation: 7 }).incarnation).to.equal(7);
      expect(rt.spawn('/c', new Recorder(), { incarnation: Date.now() }).incarnation).to.be.greaterThan(0);
    });

    it('should give an agent spawned again after a crash the next incarnation, and refuse one not above it', () => {
      const rt = createRuntime();
      rt.spawn('/a', new Recorder(), { incarnation: 3 });
      rt.crash('/a');
      expect(() => rt.spawn('/a', new Recorder(), { incarnation: 3 })).to.throw(InvalidIncarnationError);
      expect(rt.spawn('/a', new Recorder()).incarnation).to.equal(4);
    });

    it('should refuse an incarnation that is not a non-negative safe integer with InvalidIncarnationError', () => {
      const rt = createRuntime();
      for (const bad of [-1, 1.5, Number.NaN, 2 ** 60]) {
        expect(() => rt.spawn('/a', new Recorder(), { incarnation: bad })).to.throw(InvalidIncarnationError);
      }
      expect(rt.paths()).to.deep.equal([]);
    });
  });

  describe('sending', () => {
    it('should put the agent\'s incarnation on every message, hand-built ones included', () => {
      const rt = createRuntime({ autoRun: false });
      const b = new Recorder();
      rt.spawn('/b', b);
      const hand = new HandBuilt();
      rt.spawn('/a', new Recorder(), { incarnation: 5, setup: (p) => rt.install(p, hand) });
      rt.send('/a', '/b', 'by the application');
      hand.send(B);
      rt.drain();
      expect(b.got.map((m) => [m.payload, m.inc])).to.deep.equal([
        ['by the application', 5],
        ['by hand', 5],
      ]);
    });
  });

  describe('accept', () => {
    it('should start a channel over when a newer incarnation of its source speaks', () => {
      const rt = createRuntime({ autoRun: false });
      const b = new Recorder();
      rt.spawn('/b', b);
      rt.spawn('/a', { onStart: (ctx) => [1, 2, 3].forEach((i) => ctx.send('/b', `old ${i}`)), receive: () => {} });
      rt.drain();
      rt.crash('/a');
      rt.spawn('/a', { onStart: (ctx) => [1, 2].forEach((i) => ctx.send('/b', `new ${i}`)), receive: () => {} });
      rt.drain();
      expect(b.got.map((m) => `${m.payload as string} #${m.id}~${m.inc}`)).to.deep.equal([
        'old 1 #1~0',
        'old 2 #2~0',
        'old 3 #3~0',
        'new 1 #1~1',
        'new 2 #2~1',
      ]);
      expect(rt.doneBox('/b').channels()).to.deep.equal([{ src: '/a', dst: '/b', incarnation: 1, doneWatermark: 2, sparse: 0 }]);
    });

    it('should drop and count, with StaleIncarnationError, a message of an older incarnation', () => {
      const { rt, codes, send, msg } = rawPeer();
      const b = new Recorder();
      rt.spawn('/b', b);
      send(msg(1, undefined), msg(2, undefined));
      send(msg(1, 2), msg(5, 0), msg(3, 1), msg(2, 2), msg(1, 2));
      expect(b.payloads()).to.deep.equal(['1~0', '2~0', '1~2', '2~2']);
      expect(codes).to.deep.equal(['ESCHER_STALE_INCARNATION', 'ESCHER_STALE_INCARNATION', 'ESCHER_DUPLICATE_MESSAGE']);
      expect(rt.counters.byCode.get(new StaleIncarnationError('', '', 0, 0).code)).to.equal(2);
    });

    it('should keep what a newer incarnation started out of the done box of an older message still waiting in the inbox', () => {
      const { rt, send, msg } = rawPeer();
      const b = new Recorder();
      rt.spawn('/b', b);
      // Both enter the inbox before either runs: #5 of incarnation 0, then #1 of incarnation 1 starts the channel over.
      send(msg(5, 0), msg(1, 1));
      expect(b.payloads()).to.deep.equal(['5~0', '1~1']);
      const box = rt.doneBox('/b');
      expect(box.contains(1, A, B)).to.equal(true);
      expect(box.contains(5, A, B)).to.equal(false);
      expect(box.contains(5, A, B, 0)).to.equal(true); // superseded
      expect(box.contains(1, A, B, 2)).to.equal(false); // nothing heard from incarnation 2 yet
    });

    it('should refuse an incarnation from a peer that is not a non-negative safe integer with MalformedMessageError', () => {
      const { rt, codes, send, msg } = rawPeer();
      rt.spawn('/b', new Recorder());
      send({ ...msg(1, 0), inc: -1 }, { ...msg(1, 0), inc: 1.5 }, { ...msg(1, 0), inc: 'x' as unknown as number });
      expect(codes).to.deep.equal(['ESCHER_MALFORMED_MESSAGE', 'ESCHER_MALFORMED_MESSAGE', 'ESCHER_MALFORMED_MESSAGE']);
    });
  });

  describe('MetaContext', () => {
    it('should make consume start a channel over for a newer incarnation and refuse, counted, an older one', () => {
      const { rt, codes, send, msg } = rawPeer();
      const consumer = new Consumer();
      rt.spawn('/b', new Recorder(), { setup: (p) => rt.install(p, consumer) });
      send(msg(1, 0), msg(1, 0), msg(1, 1), msg(2, 0), msg(2, 1));
      expect(consumer.verdicts).to.deep.equal([true, false, true, false, true]);
      expect(codes).to.deep.equal(['ESCHER_STALE_INCARNATION']);
    });

    it('should answer hasAccepted and superseded per incarnation', () => {
      const { rt, send, msg } = rawPeer();
      const asker = new Asker();
      rt.spawn('/b', new Recorder(), { setup: (p) => rt.install(p, asker) });
      send(msg(1, 0), msg(1, 0), msg(1, 1), msg(1, 0), msg(2, 1));
      expect(asker.answers).to.deep.equal([
        { hasAccepted: false, superseded: false },
        { hasAccepted: true, superseded: false },
        { hasAccepted: false, superseded: false }, // #1 of incarnation 0 was accepted, not #1 of incarnation 1
        { hasAccepted: true, superseded: true }, // must not run: incarnation 1 has spoken
        { hasAccepted: false, superseded: false },
      ]);
    });

    it('should tell a role its agent\'s incarnation', () => {
      const rt = createRuntime();
      const seen: number[] = [];
      const probe = new (class extends Metaobject {
        protected override onInstall(): void {
          seen.push(this.ctx.incarnation);
        }
      })();
      rt.spawn('/a', new Recorder(), { incarnation: 12, setup: (p) => rt.install(p, probe) });
      expect(seen).to.deep.equal([12]);
    });
  });

  describe('wire', () => {
    it('should carry the incarnation between runtimes, and leave it out of frames when it is 0', async () => {
      const network = new MemoryNetwork();
      const discovery = new MemoryDiscovery();
      const codec: Codec & { frames: Frame[] } = new RecordingCodec();
      const r1 = createRuntime({ id: 'r1', network, discovery, codec });
      const r2 = createRuntime({ id: 'r2', network, discovery });
      const b = new Recorder();
      r2.spawn('/b', b);
      r1.spawn('/a', { onStart: (ctx) => ctx.send('/b', 'first life'), receive: () => {} });
      await r1.idle();
      await r2.idle();
      r1.crash('/a');
      r1.spawn('/a', { onStart: (ctx) => ctx.send('/b', 'second life'), receive: () => {} });
      await r1.idle();
      await r2.idle();
      expect(b.got.map((m) => [m.payload, m.id, m.inc])).to.deep.equal([
        ['first life', 1, 0],
        ['second life', 1, 1],
      ]);
      const wire = codec.frames.flatMap((f) => f.messages);
      expect(wire).to.deep.equal([
        { id: 1, src: '/a', dst: '/b', payload: 'first life' },
        { id: 1, src: '/a', dst: '/b', payload: 'second life', inc: 1 },
      ]);
      r1.close();
      r2.close();
    });
  });

  describe('events', () => {
    it('should publish a stale message as dropped, with both incarnations in the error', () => {
      const { rt, send, msg } = rawPeer();
      const reasons: unknown[] = [];
      rt.events$.subscribe((e) => e.kind === 'dropped' && reasons.push(e.reason));
      rt.spawn('/b', new Recorder());
      send(msg(1, 1), msg(7, 0));
      expect(reasons).to.have.length(1);
      expect(reasons[0]).to.be.instanceOf(StaleIncarnationError).and.to.include({ src: '/a', dst: '/b', incarnation: 0, current: 1 });
    });
  });
});
