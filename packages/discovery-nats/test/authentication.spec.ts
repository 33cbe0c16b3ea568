import { Path } from '@escher/core';
import { type Identity, UntrustedRootError } from '@escher/pki';
import { type NatsConnection, connect } from '@nats-io/transport-node';
import { expect } from 'chai';
import {
  AnnouncementSignatureError,
  DiscoveryConfigError,
  type DiscoveryRecord,
  MalformedAnnouncementError,
  NatsDiscovery,
  NoIdentityForPathError,
  type PathRecord,
  RECORD_DOMAIN,
  UncertifiedPathError,
  UnsignedAnnouncementError,
  UntrustedAnnouncementError,
  encodeRecord,
  pathSubject,
  recordSubject,
  signedBytes,
} from '../src';
import { NatsTestSystem, TestPki, collect, sorted, until, useNatsServer } from './helpers';

describe('NatsDiscovery authentication', () => {
  const server = useNatsServer();
  let sys: NatsTestSystem;
  let raw: NatsConnection;

  beforeEach(async () => {
    sys = new NatsTestSystem(() => server().url);
    raw = await connect({ servers: server().url });
  });

  afterEach(async () => {
    await raw.close();
    await sys.close();
  });

  function record(over: Partial<PathRecord> = {}): PathRecord {
    return { v: 1, kind: 'announce', system: sys.system, runtime: 'evil', path: Path.parse('/kv/1'), minDepth: 1, seq: Date.now() * 1000, ttlMs: 4000, ...over };
  }

  function sign(r: PathRecord, by: Identity): DiscoveryRecord {
    const sig = Buffer.from(by.key.sign(RECORD_DOMAIN, signedBytes(r))).toString('base64');
    return { ...r, chain: Buffer.from(by.chain.encode()).toString('base64'), sig };
  }

  /** Publishes raw text on a subject as an attacker with access to the NATS server would, then lets it arrive. */
  async function inject(subject: string, text: string | Uint8Array, ...observers: NatsDiscovery[]): Promise<void> {
    raw.publish(subject, text);
    await raw.flush();
    for (const o of observers) await o.flush();
  }

  describe('received records', () => {
    it("should ignore and count an announcement for a path outside the announcer's certificate", async () => {
      const b = await sys.discovery();
      const errors = collect(b.errors$);
      const r = record();
      await inject(recordSubject(r), encodeRecord(sign(r, sys.pki.identity('/app'))), b);
      expect(b.resolve(Path.parse('/kv'))).to.deep.equal([]);
      expect(b.errorCounts.get('ESCHER_DISCOVERY_UNCERTIFIED_PATH')).to.equal(1);
      expect(b.stats.rejected).to.equal(1);
      expect(errors.items).to.have.length(1);
      expect(errors.items[0]).to.be.instanceOf(UncertifiedPathError);
    });

    it('should accept an announcement for a path under the certified agent', async () => {
      const b = await sys.discovery();
      const r = record({ path: Path.parse('/kv/1/a') });
      await inject(recordSubject(r), encodeRecord(sign(r, sys.pki.identity('/kv'))), b);
      expect(b.resolve(Path.parse('/kv'))).to.deep.equal(['evil']);
      expect(b.errorCounts.total).to.equal(0);
    });

    it('should refuse an unsigned record', async () => {
      const b = await sys.discovery();
      const errors = collect(b.errors$);
      const r = record();
      await inject(recordSubject(r), encodeRecord(r), b);
      expect(b.resolve(Path.parse('/kv'))).to.deep.equal([]);
      expect(errors.items[0]).to.be.instanceOf(UnsignedAnnouncementError);
      expect(b.errorCounts.get('ESCHER_DISCOVERY_UNSIGNED')).to.equal(1);
    });

    it("should refuse a chain from another system agent, with the PKI's reason as cause", async () => {
      const b = await sys.discovery();
      const errors = collect(b.errors$);
      const r = record();
      await inject(recordSubject(r), encodeRecord(sign(r, new TestPki().identity('/kv'))), b);
      expect(b.resolve(Path.parse('/kv'))).to.deep.equal([]);
      expect(errors.items[0]).to.be.instanceOf(UntrustedAnnouncementError);
      expect((errors.items[0] as Error).cause).to.be.instanceOf(UntrustedRootError);
    });

    it('should refuse a record altered after it was signed', async () => {
      const b = await sys.discovery();
      const errors = collect(b.errors$);
      const signed = sign(record({ minDepth: 2 }), sys.pki.identity('/kv')) as PathRecord;
      const altered = { ...signed, minDepth: 1 };
      await inject(recordSubject(altered), encodeRecord(altered), b);
      expect(b.resolve(Path.parse('/kv'))).to.deep.equal([]);
      expect(errors.items[0]).to.be.instanceOf(AnnouncementSignatureError);
      expect(b.errorCounts.get('ESCHER_DISCOVERY_BAD_SIGNATURE')).to.equal(1);
    });

    it("should refuse a record published on another path's subject", async () => {
      const b = await sys.discovery();
      const errors = collect(b.errors$);
      const r = record();
      await inject(pathSubject(sys.system, Path.parse('/app'), 1), encodeRecord(sign(r, sys.pki.identity('/kv'))), b);
      expect(errors.items[0]).to.be.instanceOf(MalformedAnnouncementError);
      expect(b.resolve(Path.parse('/kv'))).to.deep.equal([]);
    });

    it('should refuse malformed and oversized records, count each, and keep working', async () => {
      const b = await sys.discovery(undefined, { maxRecordBytes: 2048 });
      const subject = pathSubject(sys.system, Path.parse('/kv/1'), 1);
      await inject(subject, 'not json', b);
      await inject(subject, JSON.stringify({ v: 1, kind: 'announce' }), b);
      await inject(subject, new Uint8Array(4096), b);
      expect(b.errorCounts.get('ESCHER_DISCOVERY_MALFORMED')).to.equal(2);
      expect(b.errorCounts.get('ESCHER_DISCOVERY_OVERSIZED')).to.equal(1);
      const a = await sys.discovery();
      a.announce('r1', Path.parse('/kv/1'), 1);
      await sys.settle();
      expect(b.resolve(Path.parse('/kv'))).to.deep.equal(['r1']);
    });

    it('should ignore an announcement replayed after its withdrawal', async () => {
      const a = await sys.discovery();
      const b = await sys.discovery();
      const captured: Uint8Array[] = [];
      const sub = raw.subscribe(pathSubject(sys.system, Path.parse('/kv/1'), 1), { callback: (_e, m) => void captured.push(m.data) });
      await raw.flush();
      a.announce('r1', Path.parse('/kv/1'), 1);
      await sys.settle();
      await raw.flush();
      a.withdraw('r1', Path.parse('/kv/1'));
      await sys.settle();
      sub.unsubscribe();
      expect(captured.length).to.be.at.least(1);
      await inject(pathSubject(sys.system, Path.parse('/kv/1'), 1), captured[0] as Uint8Array, b);
      expect(b.resolve(Path.parse('/kv'))).to.deep.equal([]);
      expect(b.stats.stale).to.be.at.least(1);
    });
  });

  describe('refinement changes', () => {
    it('should retire announcements certified under an epoch that a refinement replaced', async () => {
      const kv = sys.pki.identity('/kv');
      const before = sys.pki.child(kv, '1', 1);
      const after = sys.pki.child(kv, '1', 2);
      const observer = await sys.discovery();
      const changes = collect(observer.changes$);
      const old = await sys.discovery([before]);
      old.announce('old', Path.parse('/kv/1'), 1);
      await sys.settle();
      expect(observer.resolve(Path.parse('/kv/1'))).to.deep.equal(['old']);
      const fresh = await sys.discovery([after]);
      fresh.announce('new', Path.parse('/kv/1'), 1);
      await sys.settle();
      expect(observer.resolve(Path.parse('/kv/1'))).to.deep.equal(['new']);
      expect(observer.stats.retired).to.equal(1);
      expect(changes.items.filter((c) => c.runtime === 'old').map((c) => c.kind)).to.deep.equal(['announced', 'withdrawn']);
      // The old runtime's heartbeats are refused from now on (its epoch is below the floor).
      await until(() => observer.errorCounts.get('ESCHER_DISCOVERY_UNTRUSTED') > 0, "a refused heartbeat of the old epoch");
      expect(observer.resolve(Path.parse('/kv/1'))).to.deep.equal(['new']);
    });

    it('should re-sign and re-announce with an identity added at run time', async () => {
      const a = await sys.discovery(['/app']);
      const b = await sys.discovery();
      a.announce('r1', Path.parse('/kv/1'), 1);
      await sys.settle();
      expect(b.resolve(Path.parse('/kv/1'))).to.deep.equal([]);
      a.addIdentity(sys.pki.identity('/kv'));
      await sys.settle();
      expect(b.resolve(Path.parse('/kv/1'))).to.deep.equal(['r1']);
    });
  });

  describe('own announcements', () => {
    it('should keep a path no identity covers local, count it, and not publish it', async () => {
      const a = await sys.discovery(['/app']);
      const b = await sys.discovery();
      const errors = collect(a.errors$);
      a.announce('r1', Path.parse('/kv/1'), 1);
      a.announce('r1', Path.parse('/app/x'), 1);
      await sys.settle();
      expect(a.resolve(Path.parse('/kv/1'))).to.deep.equal(['r1']);
      expect(errors.items[0]).to.be.instanceOf(NoIdentityForPathError);
      expect(a.errorCounts.get('ESCHER_DISCOVERY_NO_IDENTITY')).to.equal(1);
      expect(b.resolve(Path.parse('/kv/1'))).to.deep.equal([]);
      expect(sorted(b.resolve(Path.parse('/app')))).to.deep.equal(['r1']);
    });
  });

  describe('options', () => {
    it('should require identities and trust, or insecure mode asked for explicitly', () => {
      const servers = server().url;
      expect(() => new NatsDiscovery({ servers, system: 's' })).to.throw(DiscoveryConfigError);
      expect(() => new NatsDiscovery({ servers, system: 's', identities: [] })).to.throw(DiscoveryConfigError);
      expect(() => new NatsDiscovery({ servers, system: 's', insecure: true, trust: sys.pki.trust() })).to.throw(DiscoveryConfigError);
      expect(() => new NatsDiscovery({ servers, system: 's', insecure: true, heartbeatMs: 100, ttlMs: 150 })).to.throw(DiscoveryConfigError);
      expect(new NatsDiscovery({ servers, system: 's', identities: [], trust: sys.pki.trust() }).secure).to.equal(true);
      expect(new NatsDiscovery({ servers, system: 's', insecure: true }).secure).to.equal(false);
    });
  });
});
