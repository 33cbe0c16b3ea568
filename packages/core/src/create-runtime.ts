import 'reflect-metadata';
import { container as rootContainer, type DependencyContainer } from 'tsyringe';
import { Runtime } from './runtime';
import { DEFAULT_RUNTIME_OPTIONS, RUNTIME_OPTIONS, type RuntimeOptions } from './runtime-options';
import { CLOCK, type Clock, SystemClock } from './services/clock';
import { CODEC, type Codec, JsonCodec } from './services/codec';
import { DISCOVERY, type Discovery } from './services/discovery';
import { MemoryDiscovery } from './services/memory-discovery';
import { MemoryNetwork } from './services/memory-network';
import { NETWORK, type Network } from './services/network';

/** Services and settings for {@link createRuntime}; anything left out gets its in-process default. */
export interface CreateRuntimeOptions extends Partial<RuntimeOptions> {
  readonly clock?: Clock;
  readonly network?: Network;
  readonly discovery?: Discovery;
  readonly codec?: Codec;
  /** Container to resolve from; a child of it is used so nothing leaks between runtimes. */
  readonly container?: DependencyContainer;
}

/**
 * Composition root: registers the services (given ones, else in-process
 * defaults) in a child container and resolves a {@link Runtime}. Runtimes
 * that should reach each other must share a Network and a Discovery.
 */
export function createRuntime(options: CreateRuntimeOptions = {}): Runtime {
  const c = (options.container ?? rootContainer).createChildContainer();
  const settings: RuntimeOptions = {
    id: options.id ?? DEFAULT_RUNTIME_OPTIONS.id,
    quantum: options.quantum ?? DEFAULT_RUNTIME_OPTIONS.quantum,
    autoRun: options.autoRun ?? DEFAULT_RUNTIME_OPTIONS.autoRun,
    ...(options.onRunnable === undefined ? {} : { onRunnable: options.onRunnable }),
  };
  c.register(RUNTIME_OPTIONS, { useValue: settings });
  registerDefault<Clock>(c, CLOCK, options.clock, () => new SystemClock());
  registerDefault<Network>(c, NETWORK, options.network, () => new MemoryNetwork());
  registerDefault<Discovery>(c, DISCOVERY, options.discovery, () => new MemoryDiscovery());
  registerDefault<Codec>(c, CODEC, options.codec, () => new JsonCodec());
  return c.resolve(Runtime);
}

function registerDefault<T>(c: DependencyContainer, token: symbol, given: T | undefined, make: () => T): void {
  if (given !== undefined) c.register(token, { useValue: given });
  else if (!c.isRegistered(token, true)) c.register(token, { useValue: make() });
}
