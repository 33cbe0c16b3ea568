import { expect } from 'chai';
import { dilPrimaryBackup, handPrimaryBackup } from '../src/primary-backup';
import { dilTwoPhaseCommit, handTwoPhaseCommit } from '../src/two-phase-commit';

// The benchmark compares times; these tests check that what it times is the same work.
describe('dil-vs-hand-coded variants', () => {
  describe('primary-backup', () => {
    it('should have the backup apply every interaction, in both variants', () => {
      for (const make of [dilPrimaryBackup, handPrimaryBackup]) {
        const v = make();
        v.run(25);
        v.run(25);
        expect(v.applied()).to.equal(50);
      }
    });
  });

  describe('two-phase commit', () => {
    it('should commit every transaction at both servers, in both variants', () => {
      for (const make of [dilTwoPhaseCommit, handTwoPhaseCommit]) {
        const v = make();
        v.run(30);
        expect(v.applied()).to.equal(60);
      }
    });
  });
});
