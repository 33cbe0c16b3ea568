/**
 * A running FNV-1a hash of a simulation's trace, plus its last lines for
 * failure reports. Two runs with the same seed must end with the same digest.
 */
export class TraceHash {
  private h1 = 0x811c9dc5;
  private h2 = 0x01000193;
  private readonly tail: string[] = [];
  /** Lines hashed so far. */
  length = 0;

  constructor(private readonly keep = 40) {}

  add(line: string): void {
    let h1 = this.h1;
    let h2 = this.h2;
    for (let i = 0; i < line.length; i++) {
      const c = line.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    }
    this.h1 = Math.imul(h1 ^ 10, 0x01000193);
    this.h2 = h2 ^ (h2 >>> 15);
    this.length++;
    this.tail.push(line);
    if (this.tail.length > this.keep) this.tail.shift();
  }

  digest(): string {
    return `${(this.h1 >>> 0).toString(16).padStart(8, '0')}${(this.h2 >>> 0).toString(16).padStart(8, '0')}:${this.length}`;
  }

  /** The last lines, oldest first. */
  lastLines(): readonly string[] {
    return this.tail;
  }
}
