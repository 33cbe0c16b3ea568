import { expect } from 'chai';
import type { RaftStorage } from '../src';

/** Commands in the contract: any JSON value an input may carry. */
type Cmd = { id: number; src: string; dst: string; payload: unknown } | null;

const cmd = (id: number): Cmd => ({ id, src: '/c', dst: '/kv', payload: { op: 'put', value: `v${id}`, nested: [id, { ok: true }] } });

/**
 * The behaviour every {@link RaftStorage} must have, run by each
 * implementation: `open()` gives the storage of one replica as a fresh
 * start would find it (the same "disk" each time within one test), and
 * `crash(s)` loses what a crash loses.
 */
export function raftStorageContract(name: string, make: () => { open(): RaftStorage<Cmd>; cleanup?(): void }): void {
  describe(`RaftStorage contract: ${name}`, () => {
    let disk: ReturnType<typeof make>;
    beforeEach(() => {
      disk = make();
    });
    afterEach(() => disk.cleanup?.());

    it('should start empty, with no incarnation recorded', () => {
      const s = disk.open();
      expect(s.incarnation).to.equal(-1);
      expect(s.load()).to.deep.include({ term: 0, votedFor: -1, terms: [], cmds: [], incarnation: -1 });
    });

    it('should give back after a restart what was synced: term, vote, entries, incarnation', () => {
      const s = disk.open();
      s.saveIncarnation(3);
      s.saveTermAndVote(2, 1);
      s.saveEntry(1, 1, null);
      s.saveEntry(2, 2, cmd(1));
      s.saveEntry(3, 2, cmd(2));
      s.sync();
      s.saveTermAndVote(3, -1);
      s.sync();
      s.close?.();
      const again = disk.open();
      expect(again.incarnation).to.equal(3);
      expect(again.load()).to.deep.include({ term: 3, votedFor: -1, terms: [1, 2, 2], cmds: [null, cmd(1), cmd(2)], incarnation: 3 });
    });

    it('should lose, in a crash, whatever was saved but not synced', () => {
      const s = disk.open();
      s.saveTermAndVote(1, 0);
      s.saveEntry(1, 1, cmd(1));
      s.sync();
      s.saveTermAndVote(2, 2);
      s.saveEntry(2, 2, cmd(2));
      s.saveIncarnation(9);
      s.close?.();
      const again = disk.open();
      expect(again.incarnation).to.equal(-1);
      expect(again.load()).to.deep.include({ term: 1, votedFor: 0, terms: [1], cmds: [cmd(1)] });
    });

    it('should replace stored entries from the index of an entry saved over them (a follower\'s overwritten suffix)', () => {
      const s = disk.open();
      for (let i = 1; i <= 5; i++) s.saveEntry(i, 1, cmd(i));
      s.sync();
      s.saveEntry(3, 2, cmd(30));
      s.saveEntry(4, 2, cmd(40));
      s.sync();
      s.close?.();
      expect(disk.open().load()).to.deep.include({ terms: [1, 1, 2, 2], cmds: [cmd(1), cmd(2), cmd(30), cmd(40)] });
    });

    it('should keep saves in order across kinds within one sync', () => {
      const s = disk.open();
      s.saveEntry(1, 1, cmd(1));
      s.saveTermAndVote(2, -1);
      s.saveEntry(2, 2, cmd(2));
      s.saveEntry(1, 2, cmd(10));
      s.saveTermAndVote(2, 1);
      s.sync();
      s.close?.();
      expect(disk.open().load()).to.deep.include({ term: 2, votedFor: 1, terms: [2], cmds: [cmd(10)] });
    });
  });
}
