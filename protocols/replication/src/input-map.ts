/**
 * A map keyed by a message's identity (src, dst, id), through nested maps
 * whose keys are the (interned) path strings and the numeric id: building a
 * string key per request would cost more than the rest of a replica's work
 * on it. Inputs of one replicated agent usually come over a few channels,
 * so the channel used last is remembered.
 */
export class InputMap<T> {
  private readonly bySrc = new Map<string, Map<string, Map<number, T>>>();
  private lastSrc: string | undefined;
  private lastDst: string | undefined;
  private lastChannel: Map<number, T> | undefined;
  private count = 0;

  get size(): number {
    return this.count;
  }

  get(src: string, dst: string, id: number): T | undefined {
    return this.channel(src, dst, false)?.get(id);
  }

  has(src: string, dst: string, id: number): boolean {
    return this.channel(src, dst, false)?.has(id) ?? false;
  }

  set(src: string, dst: string, id: number, value: T): void {
    const ch = this.channel(src, dst, true) as Map<number, T>;
    const before = ch.size;
    ch.set(id, value);
    this.count += ch.size - before;
  }

  /** Removes the key; returns whether it was there. Emptied channels stay (they are few and reused). */
  delete(src: string, dst: string, id: number): boolean {
    const ch = this.channel(src, dst, false);
    if (ch === undefined || !ch.delete(id)) return false;
    this.count--;
    return true;
  }

  clear(): void {
    this.bySrc.clear();
    this.lastSrc = undefined;
    this.lastDst = undefined;
    this.lastChannel = undefined;
    this.count = 0;
  }

  private channel(src: string, dst: string, create: boolean): Map<number, T> | undefined {
    if (src === this.lastSrc && dst === this.lastDst) return this.lastChannel;
    let byDst = this.bySrc.get(src);
    if (byDst === undefined) {
      if (!create) return undefined;
      byDst = new Map();
      this.bySrc.set(src, byDst);
    }
    let ch = byDst.get(dst);
    if (ch === undefined) {
      if (!create) return undefined;
      ch = new Map();
      byDst.set(dst, ch);
    }
    this.lastSrc = src;
    this.lastDst = dst;
    this.lastChannel = ch;
    return ch;
  }
}
