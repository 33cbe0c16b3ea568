import { expect } from 'chai';
import { type AgentContext, type Envelope, type Frame, JsonCodec, Path, type NetworkEndpoint, type WireMessage } from '@escher/core';
import { type Identity, initPki } from '@escher/pki';
import { Delay, type FaultLayer, type InFlight, type Rng, assertSeedsPassed, runSeeds } from '@escher/sim';
import { CompiledMergeSpec, type MuTag } from '../src';
import { Doubler } from './replicas';
import { SecureWorld } from './secure-world';

const REPLAY = 'npx mocha --no-config protocols/refinement/dist/test/byzantine.spec.js';
const codec = new JsonCodec();

/** Sends requests 1..n one at a time to /kv, the next once the reply to the previous has arrived. */
class SequentialClient {
  readonly got: number[] = [];
  private ctx!: AgentContext;
  constructor(private readonly n: number) {}
  onStart(ctx: AgentContext): void {
    this.ctx = ctx;
    ctx.setTimer(1, () => ctx.send('/kv', { v: 1 }));
  }
  receive(msg: Envelope): void {
    const v = (msg.payload as { v: number }).v;
    this.got.push(v);
    if (this.got.length < this.n) this.ctx.send('/kv', { v: this.got.length + 1 });
  }
}

/** Keeps a copy of every frame between honest runtimes, for replays and tampering. */
class Tap implements FaultLayer {
  readonly name = 'tap';
  frames: InFlight[] = [];
  apply(frame: InFlight): InFlight[] {
    if (this.frames.length < 256 && frame.bytes[1] === 3) this.frames.push({ ...frame, bytes: frame.bytes.slice() });
    return [frame];
  }
}

type ByzantineAttack =
  | 'lie'
  | 'forge-source'
  | 'weak-spec'
  | 'weak-spec-certified-hash'
  | 'other-epoch'
  | 'foreign-parent'
  | 'replay'
  | 'tamper'
  | 'garbage'
  | 'flood';

const ATTACKS: readonly ByzantineAttack[] = [
  'lie',
  'forge-source',
  'weak-spec',
  'weak-spec-certified-hash',
  'other-epoch',
  'foreign-parent',
  'replay',
  'tamper',
  'garbage',
  'flood',
];

/**
 * A Byzantine runtime holding a genuine certificate for `identity` (a child
 * of /kv): it runs no agent code, reads every frame it receives, and answers
 * each request with an attack chosen by its seeded generator. Every lie it
 * tells is `{ v: -k }` for request k, the same lie a second forged fragment
 * would need to match, so a single accepted forgery shows up as a lie
 * delivered to the client.
 */
class ByzantineRuntime {
  readonly attempted = new Map<ByzantineAttack, number>();
  private readonly ep: NetworkEndpoint;
  private requests = 0;

  constructor(
    private readonly world: SecureWorld,
    private readonly identity: Identity,
    private readonly tag: MuTag,
    private readonly victim: string,
    private readonly tap: Tap,
    private readonly rng: Rng,
  ) {
    const id = identity.path;
    const net = world.secure(world.sim.network, id, identity, false);
    this.ep = net.attach(id, (from, bytes) => this.onFrame(from, bytes));
    world.sim.discovery.announce(id, id, 1);
  }

  private onFrame(_from: string, bytes: Uint8Array): void {
    let frame: Frame;
    try {
      frame = codec.decode(bytes);
    } catch {
      return;
    }
    for (const m of frame.messages) {
      const v = (m.payload as { v?: unknown } | null)?.v;
      if (m.src !== '/c' || typeof v !== 'number') continue;
      this.requests++;
      this.attack(this.requests);
    }
  }

  private attack(k: number): void {
    const a = this.rng.pick(ATTACKS);
    this.attempted.set(a, (this.attempted.get(a) ?? 0) + 1);
    const self = this.identity.path;
    const lie = (src: string, tags: readonly unknown[], id = k): WireMessage => ({ id, src, dst: '/c', payload: { v: -k }, tags });
    const weak = CompiledMergeSpec.from({ waitForMatching: 1, from: this.tag.spec.from });
    switch (a) {
      case 'lie':
        return this.send([lie(self, [this.tag])]);
      case 'forge-source':
        // Its own lie, plus the same lie claiming to come from an honest sibling: together they would reach f + 1.
        return this.send([lie(self, [this.tag]), lie(this.victim, [this.tag])]);
      case 'weak-spec':
        // μ_F of the paper: a merge that one fragment satisfies, with its own (correct) hash.
        return this.send([lie(self, [{ ...this.tag, hash: weak.hash, spec: weak.spec }])]);
      case 'weak-spec-certified-hash':
        return this.send([lie(self, [{ ...this.tag, spec: weak.spec }])]);
      case 'other-epoch':
        return this.send([lie(self, [{ ...this.tag, epoch: this.tag.epoch + 1 + this.rng.int(0, 3) }]), lie(self, [{ ...this.tag, epoch: 0 }])]);
      case 'foreign-parent':
        return this.send([lie(self, [{ ...this.tag, parent: '/other' }]), lie(self, [])]);
      case 'replay': {
        const f = this.tap.frames.length === 0 ? undefined : this.rng.pick(this.tap.frames);
        if (f !== undefined) this.world.sim.inject(f.from, f.to, f.bytes, this.rng.int(0, 5));
        return;
      }
      case 'tamper': {
        const f = this.tap.frames.length === 0 ? undefined : this.rng.pick(this.tap.frames);
        if (f === undefined) return;
        const bytes = f.bytes.slice();
        const i = this.rng.int(2, bytes.length - 1);
        bytes[i] = (bytes[i] as number) ^ (1 << this.rng.int(0, 7));
        this.world.sim.inject(f.from, f.to, bytes);
        return;
      }
      case 'garbage':
        this.ep.send('/c', new TextEncoder().encode(this.rng.pick(['{', 'null', '{"v":1,"from":"/kv/1","messages":[{"id":"x"}]}', '[]'])));
        this.world.sim.inject(this.identity.path, '/c', new Uint8Array([1, 3, 0, 0, 1, 2, 3]));
        return;
      case 'flood': {
        const out: WireMessage[] = [];
        for (let i = 0; i < 20; i++) out.push(lie(self, [this.tag], k + this.rng.int(-2, 5)));
        return this.send(out);
      }
      default: {
        const never: never = a;
        throw new Error(`unknown attack ${String(never)}`);
      }
    }
  }

  private send(messages: WireMessage[]): void {
    this.ep.send('/c', codec.encode({ v: 1, from: this.identity.path, messages }));
  }
}

/** Codes dropped or refused anywhere: by the runtimes (events) and by the links (SecureNetwork counters). */
function watch(world: SecureWorld): () => Record<string, number> {
  const counts: Record<string, number> = {};
  for (const rt of world.sim.runtimes()) {
    rt.events$.subscribe((e) => {
      if (e.kind === 'dropped' || e.kind === 'error') {
        const code = (e.kind === 'dropped' ? e.reason : e.error).code;
        counts[code] = (counts[code] ?? 0) + 1;
      }
    });
  }
  return () => {
    const out = { ...counts };
    for (const [k, v] of Object.entries(world.linkRejections())) out[k] = (out[k] ?? 0) + v;
    return out;
  };
}

/**
 * /kv refined into n = 3f + 1 certified replicas with μ = waitForMatching f + 1;
 * the first f children are Byzantine runtimes, the rest honest Doublers; /c
 * sends `requests` requests one at a time.
 */
function byzantineSystem(world: SecureWorld, tap: Tap, f: number, requests: number) {
  const n = 3 * f + 1;
  const names = Array.from({ length: n }, (_, i) => String(i + 1));
  const spec = SecureWorld.spec('/kv', names, f + 1);
  world.mgr.refine('/kv', { children: names, merge: { waitForMatching: f + 1 } });
  const kv = world.certify(world.root, '/kv');
  const client = new SequentialClient(requests);
  world.spawn(world.certify(world.root, '/c'), {}, client);
  const tag: MuTag = { parent: Path.parse('/kv'), epoch: 1, hash: spec.hash, spec: spec.spec };
  const rng = world.sim.rng.fork('byzantine');
  const byzantine: ByzantineRuntime[] = [];
  for (let i = 1; i <= n; i++) {
    const id = world.certify(kv, `/kv/${i}`, { hash: spec.hash });
    if (i <= f) byzantine.push(new ByzantineRuntime(world, id, tag, `/kv/${f + 1 + ((i - 1) % (n - f))}`, tap, rng.fork(`b${i}`)));
    else world.spawn(id, { '/kv': spec }, new Doubler());
  }
  return { world, client, byzantine, codes: watch(world) };
}

describe('Byzantine children under certified tags and authenticated links', function () {
  this.timeout(180_000);
  before(async () => {
    await initPki();
  });

  it('should refuse every forgery, replay, tampered frame and weakened μ, and keep answering correctly', () => {
    const totals: Record<string, number> = {};
    const attempts = new Map<string, number>();
    const tap = new Tap();
    let world: SecureWorld | undefined;
    const report = runSeeds(
      {
        name: 'f Byzantine children of a certified, BFT-merged /kv',
        options: { trace: false, faults: [tap, new Delay({ kind: 'uniform', min: 0.1, max: 3 })], wrapNetwork: SecureWorld.wrapping(() => world) },
        build(sim) {
          tap.frames = [];
          world = new SecureWorld(sim);
          const shape = sim.rng.fork('shape');
          const f = shape.int(1, 2);
          const requests = shape.int(3, 8);
          const { client, byzantine, codes } = byzantineSystem(world, tap, f, requests);
          const expected = Array.from({ length: requests }, (_, i) => 2 * (i + 1));
          return {
            maxTime: 20_000,
            done: () => client.got.length === requests,
            always: () => {
              const bad = client.got.find((v) => v < 0);
              if (bad !== undefined) throw new Error(`a forged reply was delivered: ${bad}`);
            },
            atEnd: () => {
              expect(client.got).to.deep.equal(expected);
              for (const [k, v] of Object.entries(codes())) totals[k] = (totals[k] ?? 0) + v;
              for (const b of byzantine) for (const [a, c] of b.attempted) attempts.set(a, (attempts.get(a) ?? 0) + c);
            },
          };
        },
      },
      { seeds: 1000, budgetMs: 90_000 },
    );
    console.log(`      ${assertSeedsPassed(report, { replayCommand: REPLAY, minSeeds: 1000 })}`);
    console.log(`      attacks: ${JSON.stringify(Object.fromEntries(attempts))}`);
    console.log(`      refused: ${JSON.stringify(totals)}`);
    if (process.env.SEED === undefined) {
      for (const a of ATTACKS) expect(attempts.get(a) ?? 0, a).to.be.greaterThan(0);
      expect(totals.ESCHER_FORGED_SOURCE, 'forged sources').to.be.greaterThan(0);
      expect(totals.ESCHER_TAG_MISMATCH, 'weakened merge specs').to.be.greaterThan(0);
      expect((totals.ESCHER_STALE_EPOCH ?? 0) + (totals.ESCHER_UNCERTIFIED_SOURCE ?? 0), 'other epochs').to.be.greaterThan(0);
      expect(totals.ESCHER_PKI_REPLAY ?? 0, 'replays').to.be.greaterThan(0);
      expect(totals.ESCHER_PKI_FRAME_AUTH ?? 0, 'tampered frames').to.be.greaterThan(0);
    }
  });

  it('should refuse a runtime presenting a retired epoch or another parent\'s certificate, and serve the client from the correct children', () => {
    const world = SecureWorld.create(11, [new Delay({ kind: 'uniform', min: 0.1, max: 3 })]);
    const names = ['1', '2', '3', '4', '5', '6', '7'];
    const spec = SecureWorld.spec('/kv', names, 3);
    world.mgr.refine('/kv', { children: names, merge: { waitForMatching: 3 } });
    const kv = world.certify(world.root, '/kv');
    // /kv's manager moved to epoch 2 and certified its children again; epoch 1 is retired everywhere.
    world.retire('/kv', 2);
    const client = new SequentialClient(5);
    world.spawn(world.certify(world.root, '/c'), {}, client);
    const tag: MuTag = { parent: Path.parse('/kv'), epoch: 2, hash: spec.hash, spec: spec.spec };
    const tap = new Tap();
    const rng = world.sim.rng.fork('byzantine');
    // /kv/1 kept its epoch-1 certificate; /kv/2 is run by a runtime certified as /x/1, a child of another parent.
    const stale = world.certify(kv, '/kv/1', { hash: spec.hash, epoch: 1 });
    const x = world.certify(world.root, '/x');
    const foreign = world.certify(x, '/x/1', { hash: spec.hash, epoch: 2 });
    const liars = [new ByzantineRuntime(world, stale, { ...tag, epoch: 1 }, '/kv/3', tap, rng.fork('stale'))];
    for (let i = 3; i <= 7; i++) world.spawn(world.certify(kv, `/kv/${i}`, { hash: spec.hash, epoch: 2 }), { '/kv': spec }, new Doubler());
    const codes = watch(world);
    // The foreign runtime answers as /kv/2 and as itself, with /kv's tag, on a link it authenticated as /x/1.
    const foreignNet = world.secure(world.sim.network, '/kv/2', foreign, false);
    const ep = foreignNet.attach('/kv/2', (_from, bytes) => {
      const frame = codec.decode(bytes);
      for (const m of frame.messages) {
        const v = (m.payload as { v?: unknown } | null)?.v;
        if (typeof v !== 'number') continue;
        const k = v;
        const lie = (src: string): WireMessage => ({ id: k, src, dst: '/c', payload: { v: -k }, tags: [tag] });
        ep.send('/c', codec.encode({ v: 1, from: '/kv/2', messages: [lie('/kv/2'), lie('/x/1')] }));
      }
    });
    world.sim.discovery.announce('/kv/2', Path.parse('/kv/2'), 1);
    world.sim.run({ maxTime: 10_000, done: () => client.got.length === 5 });
    expect(client.got).to.deep.equal([2, 4, 6, 8, 10]);
    const refused = codes();
    expect(refused.ESCHER_PKI_STALE_EPOCH, 'the retired epoch').to.be.greaterThan(0);
    expect(refused.ESCHER_FORGED_SOURCE, 'speaking for /kv/2 with /x/1\'s certificate').to.be.greaterThan(0);
    expect(refused.ESCHER_TAG_MISMATCH, '/x/1 with /kv\'s tag').to.be.greaterThan(0);
    expect(world.nets.get('/c')?.isEstablished('/kv/1')).to.equal(false);
    expect(liars).to.have.length(1);
  });
});
