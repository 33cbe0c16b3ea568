import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { expect } from 'chai';

const BIN = nodePath.resolve(__dirname, '..', 'src', 'main.js');

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function escher(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('escher pki (child process)', () => {
  let dir: string;
  let store: string;
  let spec: string;
  before(() => {
    dir = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'escher-cli-'));
    store = nodePath.join(dir, 'system');
    spec = nodePath.join(dir, 'kv.json');
    fs.writeFileSync(spec, JSON.stringify({ from: ['/kv/1', '/kv/2', '/kv/3'], waitForMatching: 1 }, null, 2));
    fs.writeFileSync(nodePath.join(dir, 'root.json'), '{}');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('should create a root, refine twice, show and verify a chain, never printing a private key', async () => {
    const init = await escher('pki', 'init-root', store);
    expect(init.code, init.stderr).to.equal(0);
    expect(init.stdout).to.match(/created the system agent/);
    expect((fs.statSync(nodePath.join(store, 'agents', '+', 'private.key')).mode & 0o777).toString(8)).to.equal('600');

    expect((await escher('pki', 'refine', store, '/', '--children', 'kv,app', '--merge', nodePath.join(dir, 'root.json'))).code).to.equal(0);
    const refine = await escher('pki', 'refine', store, '/kv', '--children', '1,2,3', '--merge', spec);
    expect(refine.code, refine.stderr).to.equal(0);
    expect(refine.stdout).to.include('refined /kv at epoch 1');
    expect(refine.stdout).to.include('{"from":["/kv/1","/kv/2","/kv/3"],"waitForMatching":1}');
    expect(refine.stdout).to.match(/\/kv\/3 {2}key [0-9a-f]{16}/);

    const show = await escher('pki', 'show', store, '/kv/2');
    expect(show.code, show.stderr).to.equal(0);
    expect(show.stdout).to.match(/"" \(system agent\)[\s\S]*\/kv\n[\s\S]*\/kv\/2\n/);
    expect(show.stdout).to.include('private key held in this store');
    const json = await escher('pki', 'show', store, '/kv/2', '--json');
    const chain = JSON.parse(json.stdout) as { path: string; epoch: number }[];
    expect(chain.map((c) => c.path)).to.deep.equal(['', '/kv', '/kv/2']);

    const verify = await escher('pki', 'verify', store, '/kv/2');
    expect(verify.code, verify.stderr).to.equal(0);
    expect(verify.stdout).to.match(/^ok \/kv\/2: 3 certificate\(s\) verified/);

    const seeds = ['+', '+kv', '+kv+2'].map((f) => fs.readFileSync(nodePath.join(store, 'agents', f, 'private.key')).subarray(2));
    for (const out of [init, refine, show, json, verify].map((r) => r.stdout + r.stderr)) {
      for (const seed of seeds) {
        expect(out).to.not.include(seed.toString('hex').slice(0, 16));
        expect(out).to.not.include(seed.toString('base64').slice(0, 16));
      }
    }
  });

  it('should refuse the older epoch after a new refinement', async () => {
    const old = fs.readFileSync(nodePath.join(store, 'agents', '+kv+1', 'certificate'));
    const again = await escher('pki', 'refine', store, '/kv', '--children', '1,2,3,4', '--merge', spec, '--epoch', '5');
    expect(again.code, again.stderr).to.equal(0);
    expect(again.stdout).to.include('epoch 5');
    expect((await escher('pki', 'verify', store, '/kv/4')).code).to.equal(0);
    fs.writeFileSync(nodePath.join(store, 'agents', '+kv+1', 'certificate'), old);
    const stale = await escher('pki', 'verify', store, '/kv/1');
    expect(stale.code).to.equal(1);
    expect(stale.stderr).to.include('ESCHER_PKI_STALE_EPOCH');
  });

  it('should refuse a tampered certificate with exit code 1 and the error code', async () => {
    const file = nodePath.join(store, 'agents', '+kv+3', 'certificate');
    const bytes = fs.readFileSync(file);
    bytes[bytes.length - 1] ^= 1;
    fs.writeFileSync(file, bytes);
    const r = await escher('pki', 'verify', store, '/kv/3');
    expect(r.code).to.equal(1);
    expect(r.stderr).to.include('ESCHER_PKI_BAD_SIGNATURE');
    fs.writeFileSync(file, fs.readFileSync(file).subarray(0, 10));
    expect((await escher('pki', 'show', store, '/kv/3')).stderr).to.include('ESCHER_PKI_TRUNCATED');
  });

  it('should refuse a second root, a missing key and bad command lines', async () => {
    const again = await escher('pki', 'init-root', store);
    expect(again.code).to.equal(1);
    expect(again.stderr).to.include('ESCHER_PKI_STORE_EXISTS');
    const noKey = await escher('pki', 'refine', store, '/app/x', '--children', 'a', '--merge', spec);
    expect(noKey.code).to.equal(1);
    expect(noKey.stderr).to.include('ESCHER_PKI_NOT_IN_STORE');
    for (const args of [
      ['pki'],
      ['pki', 'frobnicate'],
      ['pki', 'verify', store],
      ['pki', 'refine', store, '/kv', '--merge', spec],
      ['pki', 'refine', store, '/kv', '--children', '1', '--merge', spec, '--epoch', 'soon'],
      ['pki', 'show', store, 'kv'],
      ['pki', 'show', store, '/kv', '--colour'],
      ['nope'],
    ]) {
      const r = await escher(...args);
      expect(r.code, args.join(' ')).to.equal(2);
      expect(r.stderr + r.stdout).to.include('usage: escher');
    }
  });

  it('should refuse to load a private key others can read', async () => {
    fs.chmodSync(nodePath.join(store, 'agents', '+kv', 'private.key'), 0o640);
    const r = await escher('pki', 'refine', store, '/kv', '--children', '9', '--merge', spec);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.include('ESCHER_PKI_INSECURE_KEY_FILE');
  });
});
