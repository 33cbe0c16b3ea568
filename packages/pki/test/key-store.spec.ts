import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { inspect } from 'node:util';
import { expect } from 'chai';
import {
  InsecureKeyFileError,
  KeyStore,
  NotInStoreError,
  StaleEpochError,
  StoreExistsError,
  folderName,
  initRootInStore,
  refineInStore,
  sha256CanonicalJson,
} from '../src';
import { Path } from '@escher/core';
import { usePki } from './helpers';

describe('KeyStore', () => {
  usePki();
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'escher-pki-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const spec = { waitForMatching: 1, from: ['/kv/1', '/kv/2', '/kv/3'] };

  it('should name folders unambiguously', () => {
    expect(folderName(Path.root)).to.equal('+');
    expect(folderName(Path.parse('/kv/1'))).to.equal('+kv+1');
  });

  it('should write private keys readable by the owner only', () => {
    const store = KeyStore.open(dir);
    const old = process.umask(0o000);
    try {
      initRootInStore(store);
    } finally {
      process.umask(old);
    }
    const mode = fs.statSync(nodePath.join(dir, 'agents', '+', 'private.key')).mode & 0o777;
    expect(mode.toString(8)).to.equal('600');
    expect(() => initRootInStore(store)).to.throw(StoreExistsError);
  });

  it('should refuse to load a private key others may read', () => {
    const store = KeyStore.open(dir);
    initRootInStore(store);
    const file = nodePath.join(dir, 'agents', '+', 'private.key');
    fs.chmodSync(file, 0o644);
    expect(() => store.signingKey(Path.root)).to.throw(InsecureKeyFileError);
  });

  it('should load what it saved, and never show a secret when printed', () => {
    const store = KeyStore.open(dir);
    const root = initRootInStore(store);
    const loaded = store.identity('');
    expect(loaded.key.publicKey).to.deep.equal(root.key.publicKey);
    const seed = fs.readFileSync(nodePath.join(dir, 'agents', '+', 'private.key')).subarray(2);
    const printed = [inspect(loaded, { depth: 10, showHidden: true }), inspect(loaded.key, { showHidden: true }), JSON.stringify(loaded), String(loaded)].join('\n');
    expect(printed).to.not.include(seed.toString('hex').slice(0, 12));
    expect(printed).to.not.include(seed.toString('base64').slice(0, 12));
  });

  it('should refine: certify children under a new epoch with the hash of the merge spec', () => {
    const store = KeyStore.open(dir);
    initRootInStore(store);
    refineInStore(store, '', { children: ['kv', 'app'], mergeSpec: {} });
    const r = refineInStore(store, '/kv', { children: ['1', '2', '3'], mergeSpec: spec });
    expect(r.epoch).to.equal(1);
    expect(r.mergeSpecHash).to.deep.equal(sha256CanonicalJson(spec));
    expect(store.paths()).to.deep.equal(['', '/app', '/kv', '/kv/1', '/kv/2', '/kv/3']);
    const v = store.trustStore().verifyChain(store.chain('/kv/2'));
    expect(v.mergeSpecHashes.get(Path.parse('/kv'))).to.deep.equal(sha256CanonicalJson(spec));
    expect(store.refinement('/kv')?.children).to.deep.equal(['/kv/1', '/kv/2', '/kv/3']);
  });

  it('should let the manager go offline: chains verify and children act without the parent key', () => {
    const store = KeyStore.open(dir);
    initRootInStore(store);
    refineInStore(store, '', { children: ['kv'], mergeSpec: {} });
    refineInStore(store, '/kv', { children: ['1', '2'], mergeSpec: spec });
    store.deletePrivateKey('/kv');
    store.deletePrivateKey('');
    expect(store.trustStore().verifyChain(store.chain('/kv/1')).path).to.equal('/kv/1');
    expect(store.identity('/kv/1').path).to.equal('/kv/1');
    expect(() => refineInStore(store, '/kv', { children: ['3'], mergeSpec: spec })).to.throw(NotInStoreError);
  });

  it('should retire the older epoch when refining again, keeping children keys', () => {
    const store = KeyStore.open(dir);
    initRootInStore(store);
    refineInStore(store, '', { children: ['kv'], mergeSpec: {} });
    refineInStore(store, '/kv', { children: ['1', '2', '3'], mergeSpec: spec });
    const oldChain = store.chain('/kv/1');
    const oldKey = store.certificate('/kv/1').publicKey;
    const spec2 = { waitForMatching: 2, from: ['/kv/1', '/kv/2', '/kv/3', '/kv/4'] };
    const r = refineInStore(store, '/kv', { children: ['1', '2', '3', '4'], mergeSpec: spec2 });
    expect(r.epoch).to.equal(2);
    expect(store.certificate('/kv/1').publicKey).to.deep.equal(oldKey);
    const trust = store.trustStore();
    expect(() => trust.verifyChain(oldChain)).to.throw(StaleEpochError);
    expect(trust.verifyChain(store.chain('/kv/4')).epoch).to.equal(2);
    expect(() => refineInStore(store, '/kv', { children: ['1'], mergeSpec: spec2, epoch: 2 })).to.throw(RangeError, /not above/);
  });

  it('should take the hasher of the refinement protocol', () => {
    const store = KeyStore.open(dir);
    initRootInStore(store);
    const r = refineInStore(store, '', { children: ['a'], mergeSpec: { any: 1 }, hasher: () => new Uint8Array(32).fill(9) });
    expect(store.certificate('/a').parentMergeSpecHash).to.deep.equal(new Uint8Array(32).fill(9));
    expect(r.certificates).to.have.length(1);
  });

  it('should report missing certificates and keys with a typed error', () => {
    const store = KeyStore.open(dir);
    expect(() => store.chain('/x')).to.throw(NotInStoreError);
    expect(() => store.signingKey('/x')).to.throw(NotInStoreError);
  });
});
