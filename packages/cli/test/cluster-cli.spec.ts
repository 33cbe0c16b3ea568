import { expect } from 'chai';
import * as path from 'node:path';
import { main } from '../src/main';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');

describe('escher cluster', function () {
  // Four real processes and a NATS server; the run bounds itself with --for.
  this.timeout(60_000);

  it('should run a description across processes, kill and restart a node on schedule, and stop when the client is done', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(
      [
        'cluster',
        'run',
        path.join(ROOT, 'examples/kv-cluster/system.json'),
        '--registry',
        path.join(ROOT, 'examples/kv-cluster/dist/src/registry.js'),
        '--settings',
        '{"requests":4000}',
        '--kill',
        'kv-3@0.8+300',
      ],
      { out: (l) => out.push(l), err: (l) => err.push(l) },
    );
    expect(err).to.deep.equal([]);
    expect(code).to.equal(0);
    expect(out.filter((l) => l.startsWith('node '))).to.have.length(4);
    expect(out.some((l) => /kill -9 kv-3/.test(l))).to.equal(true);
    const done = out.find((l) => l.startsWith('client {"kind":"done"'));
    expect(done, out.slice(-5).join('\n')).to.not.equal(undefined);
    const verdict = JSON.parse((done as string).slice('client '.length)) as { answered: number; wrong: string[]; duplicates: number };
    expect(verdict).to.include({ answered: 4000, duplicates: 0 });
    expect(verdict.wrong).to.deep.equal([]);
  });

  it('should refuse a command line without a registry, and an unknown command', async () => {
    const err: string[] = [];
    const o = { out: () => undefined, err: (l: string) => err.push(l) };
    expect(await main(['cluster', 'run', 'x.json'], o)).to.equal(2);
    expect(await main(['cluster', 'fly'], o)).to.equal(2);
    expect(await main(['cluster', 'run', 'x.json', '--registry', 'r.js', '--kill', 'kv-2'], o)).to.equal(2);
    expect(err.join('\n')).to.include('--registry is required');
  });
});
