import * as os from 'node:os';

/** The machine a result was measured on. */
export interface MachineInfo {
  /** Operating system, such as `Linux 6.1.0 (x64)`. */
  readonly os: string;
  /** CPU model as reported by the OS. */
  readonly cpu: string;
  /** Logical cores. */
  readonly cores: number;
  /** Total memory, in bytes. */
  readonly memoryBytes: number;
  /** Node.js version, such as `v20.19.0`. */
  readonly node: string;
}

/** Describes this machine. */
export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    os: `${os.type()} ${os.release()} (${os.arch()})`,
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryBytes: os.totalmem(),
    node: process.version,
  };
}
