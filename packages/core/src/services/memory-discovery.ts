import { Subject } from 'rxjs';
import { Path } from '../path';
import type { Discovery, DiscoveryChange } from './discovery';
import type { RuntimeId } from './network';

interface Hosted {
  readonly runtime: RuntimeId;
  readonly path: Path;
  readonly minDepth: number;
}

/** Discovery among runtimes of one process: a shared table. */
export class MemoryDiscovery implements Discovery {
  private readonly hosted = new Map<string, Hosted>();
  private readonly subject = new Subject<DiscoveryChange>();
  readonly changes$ = this.subject.asObservable();

  announce(runtime: RuntimeId, path: Path, minDepth: number): void {
    this.hosted.set(`${runtime}\u0000${path}`, { runtime, path, minDepth });
    this.subject.next({ kind: 'announced', runtime, path, minDepth });
  }

  withdraw(runtime: RuntimeId, path: Path): void {
    const key = `${runtime}\u0000${path}`;
    const h = this.hosted.get(key);
    if (h === undefined) return;
    this.hosted.delete(key);
    this.subject.next({ kind: 'withdrawn', runtime, path, minDepth: h.minDepth });
  }

  resolve(dst: Path): readonly RuntimeId[] {
    const out = new Set<RuntimeId>();
    const d = Path.depth(dst);
    for (const h of this.hosted.values()) {
      if (d >= h.minDepth && Path.isAncestorOrSelf(dst, h.path)) out.add(h.runtime);
    }
    return [...out];
  }
}
