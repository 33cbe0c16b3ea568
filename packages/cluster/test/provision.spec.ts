import { expect } from 'chai';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Path } from '@escher/core';
import { initPki } from '@escher/pki';
import { CertifiedMergeAuthority, CompiledMergeSpec } from '@escher/protocol-refinement';
import { provisionKeys, specsOf } from '../src';

const SYSTEM = {
  entries: [
    { kind: 'refine' as const, parent: '/kv', children: ['1', '2', '3'], merge: { waitForMatching: 2 }, behavior: 'kv', nodes: { '1': 'a', '2': 'b', '3': 'c' } },
    { kind: 'agent' as const, path: '/client', behavior: 'client', node: 'd' },
  ],
};

describe('provisionKeys', () => {
  let dir: string;
  before(async () => {
    await initPki();
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'escher-provision-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('should certify every physical agent under the system agent, with the hash of its parent\'s merge spec, and take managers offline', () => {
    const { store, agents } = provisionKeys(dir, SYSTEM);
    expect([...agents].sort()).to.deep.equal(['/client', '/kv/1', '/kv/2', '/kv/3']);
    const trust = store.trustStore();
    const v = trust.verifyChain(store.chain('/kv/2'));
    expect(v.path).to.equal('/kv/2');
    const spec = CompiledMergeSpec.from({ waitForMatching: 2, from: ['/kv/1', '/kv/2', '/kv/3'] });
    expect(Buffer.from(v.mergeSpecHashes.get(Path.parse('/kv')) as Uint8Array).toString('hex')).to.equal(spec.hash);
    // Managers are offline: no private key for the system agent or /kv; leaves keep theirs, readable by the owner only.
    expect(store.hasPrivateKey(Path.root)).to.equal(false);
    expect(store.hasPrivateKey('/kv')).to.equal(false);
    expect(store.hasPrivateKey('/kv/1')).to.equal(true);
    expect(statSync(join(dir, 'agents', '+kv+1', 'private.key')).mode & 0o077).to.equal(0);
  });

  it('should give each node the μ-lists a certified authority accepts', () => {
    const { store } = provisionKeys(dir, SYSTEM);
    const authority = new CertifiedMergeAuthority(store.trustStore());
    const list = authority.addLocal(store.chain('/kv/3'), specsOf(SYSTEM));
    expect(list).to.have.length(1);
    expect(authority.resolve(list[0], Path.parse('/kv/3'))).to.be.instanceOf(CompiledMergeSpec);
  });
});
