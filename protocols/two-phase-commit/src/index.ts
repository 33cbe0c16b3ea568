export { TwoPhaseCommit, type TwoPhaseCommitParams } from './two-phase-commit';
export { Initiator } from './initiator';
export { Server } from './server';
export {
  type TwoPhaseTag,
  type BeginAction,
  type EndAction,
  type Query,
  type Abort,
  type Committed,
  type TwoPhaseControl,
  type TwoPhaseNotification,
  isTwoPhaseNotification,
} from './messages';
