import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Path } from '@escher/core';
import { Identity, NO_MERGE_SPEC, SigningKey, certifyChildren, initPki } from '@escher/pki';
import { expect } from 'chai';
import { NatsDisconnectedError, NatsServer, NatsUnavailableError } from '../src';
import type { AnnouncerSettings } from './fixtures/announcer';
import { FAST, NatsTestSystem, collect, delay, until } from './helpers';

describe('NatsDiscovery failures', () => {
  let server: NatsServer;
  let sys: NatsTestSystem;

  before(async () => {
    await initPki();
  });

  beforeEach(async function () {
    this.timeout(30_000);
    // A server per spec: these specs stop and restart it.
    server = await NatsServer.start();
    sys = new NatsTestSystem(() => server.url);
  });

  afterEach(async () => {
    await sys.close();
    await server.stop();
  });

  describe('server down at start', () => {
    it('should report it, keep announcements, connect once the server is up and publish them', async () => {
      await server.stop();
      const a = sys.create();
      const errors = collect(a.errors$);
      await a.start();
      expect(a.state).to.equal('connecting');
      expect(a.errorCounts.get('ESCHER_DISCOVERY_NATS_UNAVAILABLE')).to.be.at.least(1);
      expect(errors.items[0]).to.be.instanceOf(NatsUnavailableError);
      a.announce('r1', Path.parse('/kv/1'), 1);
      expect(a.resolve(Path.parse('/kv'))).to.deep.equal(['r1']);

      await server.restart();
      await until(() => a.state === 'connected', 'the first connection');
      await a.ready();
      const b = await sys.discovery();
      await sys.settle();
      expect(b.resolve(Path.parse('/kv'))).to.deep.equal(['r1']);
    });
  });

  describe('server lost mid-run', () => {
    it('should keep the learned table while the server is gone, then re-announce and learn what changed meanwhile', async () => {
      const a = await sys.discovery();
      const b = await sys.discovery();
      a.announce('r1', Path.parse('/kv/1'), 1);
      await sys.settle();
      expect(b.resolve(Path.parse('/kv'))).to.deep.equal(['r1']);

      const errors = collect(b.errors$);
      await server.stop('SIGKILL');
      await until(() => a.state === 'reconnecting' && b.state === 'reconnecting', 'both to notice the loss');
      expect(errors.items.some((e) => e instanceof NatsDisconnectedError)).to.equal(true);
      expect(b.errorCounts.get('ESCHER_DISCOVERY_NATS_DISCONNECTED')).to.equal(1);
      a.announce('r1', Path.parse('/kv/2'), 1);
      // Longer than the TTL: nothing could be heard, so nothing is forgotten.
      await delay(2 * FAST.ttlMs);
      expect(b.resolve(Path.parse('/kv/1'))).to.deep.equal(['r1']);

      await server.restart();
      await until(() => a.state === 'connected' && b.state === 'connected', 'both to reconnect');
      await until(() => b.resolve(Path.parse('/kv/2')).includes('r1'), 'the announcement made while the server was down');
      // Heartbeats after the reconnection keep the old entry alive past its TTL.
      await delay(2 * FAST.ttlMs);
      expect(b.resolve(Path.parse('/kv/1'))).to.deep.equal(['r1']);
      expect(b.stats.reconnects).to.equal(1);
      expect(a.stats.reconnects).to.equal(1);
    });

    it('should publish a withdrawal made while the server was gone once it is back', async () => {
      // A long TTL, so that only the withdrawal, not expiry, can explain the entry going.
      const a = await sys.discovery(undefined, { ttlMs: 60_000 });
      const b = await sys.discovery();
      a.announce('r1', Path.parse('/kv/1'), 1);
      await sys.settle();
      await server.stop('SIGKILL');
      await until(() => a.state === 'reconnecting', 'the loss');
      a.withdraw('r1', Path.parse('/kv/1'));
      await server.restart();
      await until(() => b.resolve(Path.parse('/kv')).length === 0, 'the withdrawal', 5 * FAST.ttlMs);
    });
  });

  describe('runtime crash', () => {
    let child: ChildProcess | undefined;

    afterEach(() => {
      child?.kill('SIGKILL');
      child = undefined;
    });

    it('should forget a runtime killed without withdrawing once its TTL has passed', async () => {
      const observer = await sys.discovery();
      const changes = collect(observer.changes$);
      child = startAnnouncer(sys, server.url, '/kv/1', 'doomed');
      await waitForLine(child, 'ready');
      await until(() => observer.resolve(Path.parse('/kv')).includes('doomed'), 'the announcement');
      child.kill('SIGKILL');
      await until(() => observer.resolve(Path.parse('/kv')).length === 0, 'expiry by TTL');
      expect(observer.stats.expired).to.equal(1);
      expect(changes.items.filter((c) => c.runtime === 'doomed').map((c) => c.kind)).to.deep.equal(['announced', 'withdrawn']);
    });

    it('should withdraw at once on a clean close, without waiting for the TTL', async () => {
      const a = await sys.discovery(undefined, { heartbeatMs: 100, ttlMs: 60_000 });
      const b = await sys.discovery();
      a.announce('r1', Path.parse('/kv/1'), 1);
      a.announceRuntime('r1', 'ws://127.0.0.1:7001');
      await sys.settle();
      expect(b.resolve(Path.parse('/kv'))).to.deep.equal(['r1']);
      await a.close();
      await b.flush();
      await b.flush();
      expect(b.resolve(Path.parse('/kv'))).to.deep.equal([]);
      expect(b.addressOf('r1')).to.equal(undefined);
    });
  });
});

function startAnnouncer(sys: NatsTestSystem, url: string, path: string, runtime: string): ChildProcess {
  const seed = randomBytes(32);
  const key = SigningKey.fromSeed(seed);
  const parent = sys.pki.identity(Path.parent(Path.parse(path)) as string);
  const [cert] = certifyChildren({ path: parent.path, key: parent.key }, { children: [{ path, publicKey: key.publicKey }], parentMergeSpecHash: NO_MERGE_SPEC, epoch: 1 });
  const identity = new Identity(key, parent.chain.extend(cert!));
  const settings: AnnouncerSettings = {
    url,
    system: sys.system,
    runtime,
    path,
    seed: seed.toString('hex'),
    chain: Buffer.from(identity.chain.encode()).toString('base64'),
    root: Buffer.from(sys.pki.root.chain.leaf.bytes).toString('base64'),
    heartbeatMs: FAST.heartbeatMs,
    ttlMs: FAST.ttlMs,
  };
  return spawn(process.execPath, [join(__dirname, 'fixtures', 'announcer.js'), JSON.stringify(settings)], { stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Resolves when the child prints `line`; rejects if it exits first or after 15 s. */
function waitForLine(child: ChildProcess, line: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`child did not print ${line} within 15 s: ${err}`)), 15_000);
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString('utf8');
    });
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString('utf8');
      if (out.split('\n').includes(line)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`child exited with ${String(code)} before printing ${line}: ${err}`));
    });
  });
}
