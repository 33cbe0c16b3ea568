import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type BenchResult, type Output, runBenchmark } from '../src';
import { main, parseArgs } from '../src/cli';

/** Output captured line by line. */
function capture(): Output & { outs: string[]; errs: string[] } {
  const outs: string[] = [];
  const errs: string[] = [];
  return { outs, errs, out: (l) => outs.push(l), err: (l) => errs.push(l) };
}

/** A compiled benchmark entry, written as plain CommonJS. */
const DEMO_ENTRY = `
exports.benchmark = {
  name: 'demo',
  description: 'a fake benchmark for the harness tests',
  targets: [
    { name: 'fast', figure: 'rate', comparison: '>=', threshold: 10 },
    { name: 'huge', figure: 'rate', comparison: '>', threshold: 1e9 },
    { name: 'ghost', figure: 'missing', comparison: '<', threshold: 1 },
  ],
  chart: { title: 'Demo', unit: 'ops/s', bars: [{ label: 'rate', figure: 'rate' }] },
  async run(ctx) {
    for (let i = 1; i <= 2; i++) {
      ctx.progress('step', i, 2);
      ctx.record({ step: i, quick: ctx.quick, label: 'x' + i });
    }
    ctx.note('done');
    ctx.figure('rate', ctx.quick ? 42 : 43);
  },
};
`;

/** A scratch repository: root package.json and a benchmarks/ folder with `demo`, an unbuilt `raw` and `harness`. */
function scratch(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-harness-'));
  fs.writeFileSync(path.join(root, 'package.json'), JSON.stringify({ name: 'x', version: '9.8.7' }));
  const demo = path.join(root, 'benchmarks', 'demo');
  fs.mkdirSync(path.join(demo, 'dist', 'src'), { recursive: true });
  fs.writeFileSync(path.join(demo, 'package.json'), '{}');
  fs.writeFileSync(path.join(demo, 'dist', 'src', 'index.js'), DEMO_ENTRY);
  fs.mkdirSync(path.join(root, 'benchmarks', 'raw'));
  fs.writeFileSync(path.join(root, 'benchmarks', 'raw', 'package.json'), '{}');
  fs.mkdirSync(path.join(root, 'benchmarks', 'harness'));
  fs.writeFileSync(path.join(root, 'benchmarks', 'harness', 'package.json'), '{}');
  return root;
}

const readJson = (file: string): BenchResult => JSON.parse(fs.readFileSync(file, 'utf8')) as BenchResult;

describe('runner', () => {
  let root: string;
  let benchmarksDir: string;
  beforeEach(() => {
    root = scratch();
    benchmarksDir = path.join(root, 'benchmarks');
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  describe('runBenchmark', () => {
    it('should write a quick run to results/quick/<name>.json with every field', async () => {
      const io = capture();
      const now = () => new Date('2030-01-02T03:04:05.000Z');
      const { jsonPath, svgPath } = await runBenchmark('demo', { benchmarksDir, quick: true, output: io, now });
      expect(jsonPath).to.equal(path.join(benchmarksDir, 'results', 'quick', 'demo.json'));
      expect(svgPath).to.equal(path.join(benchmarksDir, 'results', 'quick', 'demo.svg'));
      const r = readJson(jsonPath);
      expect(r).to.include.all.keys('name', 'version', 'date', 'machine', 'quick', 'rows', 'targets', 'summary', 'commit');
      expect(r.name).to.equal('demo');
      expect(r.version).to.equal('9.8.7');
      expect(r.date).to.equal('2030-01-02T03:04:05.000Z');
      expect(r.quick).to.equal(true);
      expect(r.machine).to.have.all.keys('os', 'cpu', 'cores', 'memoryBytes', 'node');
      expect(r.machine.node).to.equal(process.version);
      expect(r.rows).to.deep.equal([
        { step: 1, quick: true, label: 'x1' },
        { step: 2, quick: true, label: 'x2' },
      ]);
      expect(r.summary).to.deep.equal({ rate: 42 });
    });

    it('should write a full run to results/<name>.json', async () => {
      const { jsonPath } = await runBenchmark('demo', { benchmarksDir, quick: false, output: capture() });
      expect(jsonPath).to.equal(path.join(benchmarksDir, 'results', 'demo.json'));
      expect(readJson(jsonPath).summary).to.deep.equal({ rate: 43 });
      expect(fs.existsSync(path.join(benchmarksDir, 'results', 'quick'))).to.equal(false);
    });

    it('should report each target with its value, comparison and whether it is met', async () => {
      const { result } = await runBenchmark('demo', { benchmarksDir, quick: true, output: capture() });
      expect(result.targets).to.deep.equal([
        { name: 'fast', figure: 'rate', comparison: '>=', threshold: 10, value: 42, met: true },
        { name: 'huge', figure: 'rate', comparison: '>', threshold: 1e9, value: 42, met: false },
        { name: 'ghost', figure: 'missing', comparison: '<', threshold: 1, value: null, met: false },
      ]);
    });

    it('should write the chart of the chosen figures next to the JSON', async () => {
      const { svgPath } = await runBenchmark('demo', { benchmarksDir, quick: true, output: capture() });
      const svg = fs.readFileSync(svgPath, 'utf8');
      expect(svg).to.include('<svg xmlns="http://www.w3.org/2000/svg"');
      expect(svg).to.include('>Demo (quick run)</text>');
      expect(svg).to.include('>42 ops/s (target &gt;= 10: met)</text>');
    });

    it('should print progress and notes to stderr and the table and targets to stdout', async () => {
      const io = capture();
      await runBenchmark('demo', { benchmarksDir, quick: true, output: io });
      expect(io.errs).to.deep.equal(['[demo] step 1/2', '[demo] step 2/2', '[demo] done']);
      const lines = io.outs.join('\n').split('\n');
      expect(lines).to.include.members(['step  quick  label', '----  -----  -----', '   1  true   x1', '   2  true   x2']);
      expect(lines).to.include('  fast: rate = 42, wanted >= 10: met');
      expect(lines).to.include('  ghost: missing = not recorded, wanted < 1: MISSED');
    });
  });

  describe('main', () => {
    it('should exit with 2 and name the available benchmarks for an unknown name', async () => {
      const io = capture();
      expect(await main(['nope'], { benchmarksDir, output: io })).to.equal(2);
      expect(io.errs.join('\n')).to.include('unknown benchmark "nope"; available: demo, raw');
    });

    it('should exit with 2 for a name that tries to leave benchmarks/', async () => {
      expect(await main(['../benchmarks/demo'], { benchmarksDir, output: capture() })).to.equal(2);
    });

    it('should exit with 2 and print the usage without a name or with an unknown option', async () => {
      const io = capture();
      expect(await main([], { benchmarksDir, output: io })).to.equal(2);
      expect(await main(['demo', '--fast'], { benchmarksDir, output: io })).to.equal(2);
      expect(io.errs.join('\n')).to.include('usage: npm run bench');
    });

    it('should exit with 1 for a benchmark that is not built', async () => {
      const io = capture();
      expect(await main(['raw'], { benchmarksDir, output: io })).to.equal(1);
      expect(io.errs.join('\n')).to.include('is not built');
    });

    it('should list benchmarks with their descriptions, leaving out the harness', async () => {
      const io = capture();
      expect(await main(['--list'], { benchmarksDir, output: io })).to.equal(0);
      expect(io.outs[0]).to.equal('demo  a fake benchmark for the harness tests');
      expect(io.outs[1]).to.match(/^raw {3}\(benchmark "raw" is not built/);
      expect(io.outs).to.have.length(2);
    });

    it('should run a benchmark and exit with 0', async () => {
      expect(await main(['demo', '--quick'], { benchmarksDir, output: capture() })).to.equal(0);
      expect(fs.existsSync(path.join(benchmarksDir, 'results', 'quick', 'demo.json'))).to.equal(true);
    });
  });

  describe('parseArgs', () => {
    it('should accept flags before or after the name', () => {
      expect(parseArgs(['--quick', 'messaging'])).to.deep.equal({ help: false, list: false, quick: true, name: 'messaging' });
      expect(parseArgs(['messaging', '--quick'])).to.deep.equal({ help: false, list: false, quick: true, name: 'messaging' });
    });
  });
});
