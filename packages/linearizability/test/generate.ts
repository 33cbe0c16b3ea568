import type { HistoryEvent } from '../src';
import type { Rng } from './helpers';

/** A real, sequential object the generator drives. */
export interface Subject {
  /** A random call to make. */
  randomCall(rng: Rng): { f: string; input: unknown };
  /** Perform the call atomically and return its output. */
  apply(f: string, input: unknown): unknown;
  /** Whether the call only observes (its output can be corrupted). */
  isRead(f: string): boolean;
}

/** A generated history and the indices of its `ok` events that complete reads. */
export interface Generated {
  readonly events: HistoryEvent[];
  readonly reads: number[];
}

/**
 * Run `operations` calls from `processes` concurrent clients against the
 * subject. Each call is invoked, applied atomically at some later moment and
 * returned later still, with other clients' events interleaved at random,
 * so the history is linearizable by construction. A few calls time out
 * (`info`) after they took effect or before, and a few fail before taking
 * effect.
 */
export function generate(rng: Rng, subject: Subject, processes: number, operations: number): Generated {
  type Client = { phase: 'idle' } | { phase: 'called'; f: string; input: unknown } | { phase: 'applied'; f: string; output: unknown };
  const clients: Client[] = Array.from({ length: processes }, () => ({ phase: 'idle' }));
  const events: HistoryEvent[] = [];
  const reads: number[] = [];
  let invoked = 0;
  const busy = (): boolean => clients.some((c) => c.phase !== 'idle');
  while (invoked < operations || busy()) {
    const p = rng.int(processes);
    const c = clients[p];
    const time = events.length;
    switch (c.phase) {
      case 'idle': {
        if (invoked === operations) break;
        const { f, input } = subject.randomCall(rng);
        events.push({ type: 'invoke', process: p, f, input, time });
        clients[p] = { phase: 'called', f, input };
        invoked++;
        break;
      }
      case 'called':
        if (rng.chance(0.03)) {
          events.push({ type: 'info', process: p, time });
          clients[p] = { phase: 'idle' };
        } else if (rng.chance(0.03)) {
          events.push({ type: 'fail', process: p, time });
          clients[p] = { phase: 'idle' };
        } else {
          clients[p] = { phase: 'applied', f: c.f, output: subject.apply(c.f, c.input) };
        }
        break;
      case 'applied':
        if (rng.chance(0.04)) {
          events.push({ type: 'info', process: p, time });
        } else {
          if (subject.isRead(c.f)) reads.push(events.length);
          events.push({ type: 'ok', process: p, output: c.output, time });
        }
        clients[p] = { phase: 'idle' };
        break;
      default: {
        const never: never = c;
        throw new Error(`unreachable: ${JSON.stringify(never)}`);
      }
    }
  }
  return { events, reads };
}

/** A copy of `events` where the `ok` event at `index` returned `output` instead. */
export function corrupt(events: readonly HistoryEvent[], index: number, output: unknown): HistoryEvent[] {
  return events.map((e, i) => (i === index && e.type === 'ok' ? { ...e, output } : e));
}

/** A real register holding small numbers, driven by reads, writes and cas. */
export function registerSubject(): Subject {
  let value: number | null = null;
  return {
    randomCall(rng) {
      const r = rng.next();
      if (r < 0.4) return { f: 'read', input: null };
      if (r < 0.7) return { f: 'write', input: rng.int(5) };
      return { f: 'cas', input: [rng.int(5), rng.int(5)] };
    },
    apply(f, input) {
      if (f === 'read') return value;
      if (f === 'write') {
        value = input as number;
        return null;
      }
      const [from, to] = input as [number, number];
      if (value !== from) return false;
      value = to;
      return true;
    },
    isRead: (f) => f === 'read',
  };
}

/** A real key-value store over a few keys, driven by gets, puts and appends. */
export function kvSubject(): Subject {
  const store = new Map<string, string>();
  let written = 0;
  return {
    randomCall(rng) {
      const key = 'abc'[rng.int(3)];
      const r = rng.next();
      if (r < 0.45) return { f: 'get', input: { key } };
      return { f: r < 0.6 ? 'put' : 'append', input: { key, value: `<${written++}>` } };
    },
    apply(f, input) {
      const { key, value } = input as { key: string; value?: string };
      if (f === 'get') return store.get(key) ?? '';
      store.set(key, f === 'put' ? (value as string) : (store.get(key) ?? '') + (value as string));
      return null;
    },
    isRead: (f) => f === 'get',
  };
}
