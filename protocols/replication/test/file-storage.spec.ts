import { expect } from 'chai';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CorruptRaftStorageError, FileStorage, type FileIo, MemoryStorage, RaftStorageError } from '../src';
import { HEADER_BYTES, RecordKind, encodeRecord } from '../src/storage/record-format';
import { raftStorageContract } from './raft-storage-contract';

type Cmd = { id: number; src: string; dst: string; payload: unknown } | null;

/** A scratch directory removed after the test. */
function scratch(): { dir: string; cleanup(): void } {
  const dir = fs.mkdtempSync(join(tmpdir(), 'escher-raft-'));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** node's fs, counting writes and fsyncs per descriptor, and failing fsync when told. */
function countingIo(): FileIo & { writes: number; fsyncs: number; failFsync: boolean; order: string[] } {
  const io = {
    writes: 0,
    fsyncs: 0,
    failFsync: false,
    order: [] as string[],
    openSync: fs.openSync,
    closeSync: fs.closeSync,
    readFileSync: fs.readFileSync,
    ftruncateSync: fs.ftruncateSync,
    mkdirSync: fs.mkdirSync,
    writeSync: ((...args: Parameters<typeof fs.writeSync>) => {
      io.writes++;
      io.order.push('write');
      return (fs.writeSync as (...a: unknown[]) => number)(...args);
    }) as typeof fs.writeSync,
    fsyncSync: (fd: number) => {
      if (io.failFsync) {
        const e = new Error('EIO: i/o error, fsync') as NodeJS.ErrnoException;
        e.code = 'EIO';
        throw e;
      }
      io.fsyncs++;
      io.order.push('fsync');
      fs.fsyncSync(fd);
    },
  };
  return io;
}

const cmd = (id: number): Cmd => ({ id, src: '/c', dst: '/kv', payload: { n: id } });

raftStorageContract('MemoryStorage', () => {
  const m = new MemoryStorage<Cmd>();
  return { open: () => m };
});

raftStorageContract('FileStorage', () => {
  const s = scratch();
  const file = join(s.dir, 'nested', 'kv~1.raft');
  return { open: () => new FileStorage<Cmd>(file), cleanup: s.cleanup };
});

describe('FileStorage', () => {
  let tmp: ReturnType<typeof scratch>;
  let file: string;
  beforeEach(() => {
    tmp = scratch();
    file = join(tmp.dir, 'kv~1.raft');
  });
  afterEach(() => tmp.cleanup());

  /** Stores `n` entries (one sync each) and a term, and returns the file's bytes. */
  function written(n: number): Buffer {
    const s = new FileStorage<Cmd>(file);
    s.saveTermAndVote(1, 0);
    for (let i = 1; i <= n; i++) {
      s.saveEntry(i, 1, cmd(i));
      s.sync();
    }
    s.close();
    return fs.readFileSync(file);
  }

  describe('sync', () => {
    it('should write a batch of changes with one write and one fsync, in that order', () => {
      const io = countingIo();
      const s = new FileStorage<Cmd>(file, { io });
      const before = { writes: io.writes, fsyncs: io.fsyncs };
      s.saveTermAndVote(4, 2);
      for (let i = 1; i <= 1000; i++) s.saveEntry(i, 4, cmd(i));
      s.saveIncarnation(1);
      s.sync();
      expect(io.writes - before.writes).to.equal(1);
      expect(io.fsyncs - before.fsyncs).to.equal(1);
      expect(io.order.slice(-2)).to.deep.equal(['write', 'fsync']);
      expect(s.incarnation).to.equal(1);
      s.sync(); // nothing new: no I/O
      expect(io.fsyncs - before.fsyncs).to.equal(1);
      s.close();
      expect(new FileStorage<Cmd>(file).load().terms).to.have.length(1000);
    });

    it('should fsync the header and the directory when it creates the file', () => {
      const io = countingIo();
      new FileStorage<Cmd>(file, { io }).close();
      expect(io.order).to.deep.equal(['write', 'fsync', 'fsync']);
      expect(fs.readFileSync(file).length).to.equal(HEADER_BYTES);
    });

    it('should throw RaftStorageError when fsync fails, and keep nothing unsynced as durable', () => {
      const io = countingIo();
      const s = new FileStorage<Cmd>(file, { io });
      s.saveIncarnation(0);
      s.sync();
      io.failFsync = true;
      s.saveIncarnation(1);
      expect(() => s.sync()).to.throw(RaftStorageError, /fsync failed/);
      expect(s.incarnation).to.equal(0);
      // The storage is done: a replica whose disk failed stops, and is restarted on a new instance.
      s.saveEntry(1, 1, null);
      expect(() => s.sync()).to.throw(RaftStorageError, /closed/);
      expect(new FileStorage<Cmd>(file).incarnation).to.be.at.least(0);
    });
  });

  describe('open', () => {
    it('should drop a record cut short at the end (a torn write), say so, truncate the file and go on appending', () => {
      const whole = written(3);
      const extra = encodeRecord({ kind: RecordKind.Entries, first: 4, terms: [1], cmds: [cmd(4)] });
      fs.writeFileSync(file, Buffer.concat([whole, extra.subarray(0, extra.length - 3)]));
      const s = new FileStorage<Cmd>(file);
      const state = s.load();
      expect(state.terms).to.deep.equal([1, 1, 1]);
      expect(state.repaired).to.match(/cut short/);
      expect(fs.readFileSync(file).length).to.equal(whole.length);
      s.saveEntry(4, 1, cmd(44));
      s.sync();
      s.close();
      const again = new FileStorage<Cmd>(file).load();
      expect(again.cmds).to.deep.equal([cmd(1), cmd(2), cmd(3), cmd(44)]);
      expect(again.repaired).to.equal(undefined);
    });

    it('should drop a record head cut short, and zeros where the last record should be', () => {
      const whole = written(2);
      for (const tail of [Buffer.from([0, 0, 1]), Buffer.alloc(300)]) {
        fs.writeFileSync(file, Buffer.concat([whole, tail]));
        const state = new FileStorage<Cmd>(file).load();
        expect(state.terms).to.deep.equal([1, 1]);
        expect(state.repaired).to.be.a('string');
      }
      // A whole record head whose body never reached the disk (zeros).
      const extra = encodeRecord({ kind: RecordKind.Incarnation, incarnation: 5 });
      extra.fill(0, 8);
      fs.writeFileSync(file, Buffer.concat([whole, extra]));
      expect(new FileStorage<Cmd>(file).load()).to.include({ incarnation: -1, repaired: `${extra.length} byte(s) at offset ${whole.length} (a last record of zeros)` });
    });

    it('should refuse, with CorruptRaftStorageError and the offset, a damaged record with records after it', () => {
      const whole = written(3);
      const damaged = Buffer.from(whole);
      const second = HEADER_BYTES + damaged.readUInt32BE(HEADER_BYTES) + 8;
      damaged[second + 12] ^= 0x20; // inside the second record's JSON
      fs.writeFileSync(file, damaged);
      expect(() => new FileStorage<Cmd>(file)).to.throw(CorruptRaftStorageError, new RegExp(`at byte ${second}: checksum mismatch`));
    });

    it('should refuse a damaged last record that is not zeros: a synced record went bad, not a torn write', () => {
      const damaged = Buffer.from(written(2));
      damaged[damaged.length - 2] ^= 0x01;
      fs.writeFileSync(file, damaged);
      expect(() => new FileStorage<Cmd>(file)).to.throw(CorruptRaftStorageError, /checksum mismatch in the last record/);
    });

    it('should refuse another format or version, a gap in the log, and records that make no sense', () => {
      const whole = written(1);
      const cases: [string, Buffer, RegExp][] = [
        ['magic', Buffer.concat([Buffer.from('NOTRAFT!'), whole.subarray(HEADER_BYTES)]), /bad magic/],
        ['version', Buffer.concat([Buffer.from('ESRAFT'), Buffer.from([0, 2]), whole.subarray(HEADER_BYTES)]), /format version 2/],
        ['gap', Buffer.concat([whole, encodeRecord({ kind: RecordKind.Entries, first: 5, terms: [1], cmds: [null] })]), /a gap in the log/],
        ['term', Buffer.concat([whole, encodeRecord({ kind: RecordKind.TermAndVote, term: -3, votedFor: 0 })]), /bad term or vote/],
        ['length', Buffer.concat([whole, Buffer.from([0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4, 5])]), /record length/],
      ];
      for (const [name, bytes, why] of cases) {
        fs.writeFileSync(file, bytes);
        expect(() => new FileStorage<Cmd>(file), name).to.throw(CorruptRaftStorageError, why);
      }
    });

    it('should start a file whose creation a crash interrupted (a prefix of the header)', () => {
      fs.writeFileSync(file, Buffer.from('ESR'));
      expect(new FileStorage<Cmd>(file).load()).to.deep.include({ term: 0, terms: [], incarnation: -1 });
    });
  });

  describe('inDirectory', () => {
    it('should give each replica path a file of its own, creating the directory', () => {
      expect(FileStorage.fileName('/kv/1')).to.equal('kv~1.raft');
      expect(FileStorage.fileName('/a.b/c-d_e/3')).to.equal('a.b~c-d_e~3.raft');
      const s = FileStorage.inDirectory<Cmd>(join(tmp.dir, 'data', 'node-2'), '/kv/2');
      s.saveIncarnation(7);
      s.sync();
      s.close();
      expect(fs.existsSync(join(tmp.dir, 'data', 'node-2', 'kv~2.raft'))).to.equal(true);
      expect(FileStorage.inDirectory<Cmd>(join(tmp.dir, 'data', 'node-2'), '/kv/2').incarnation).to.equal(7);
    });
  });
});
