export {
  LinearizabilityError,
  type LinearizabilityErrorOptions,
  ReturnWithoutInvokeError,
  ProcessBusyError,
  UnknownFunctionError,
  InvalidInputError,
  InvalidTimeError,
  UnparsableLineError,
} from './errors';
export { UNKNOWN, type Unknown, type ProcessId, type Outcome, type HistoryEvent, type Operation } from './operation';
export { History } from './history';
export type { Model, ModelOperation, Partition, StepResult } from './model';
export { register, type RegisterValue, type RegisterInput, type RegisterOutput } from './models/register';
export { kv, kvGet, kvEntries, type KvState, type KvInput, type KvOutput } from './models/kv';
export { check, prepare, type CheckOptions, type CheckResult, type PartitionResult } from './check';
export { parseKvHistory } from './parse/kv-edn';
export { parseJepsenLog } from './parse/jepsen-log';
export type { ParseResult } from './parse/result';
