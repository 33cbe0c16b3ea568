import type { Path, ProtocolHost } from '@escher/core';
import type { RefinementRecord } from './hierarchy';

/**
 * A wrapper (Escher §2.3) implements one refinement generically: it puts its
 * roles on every physical agent below the refined agent, whose own code is
 * unchanged. Replication orders inputs among replicas; sharding filters
 * them by key. The manager calls {@link Wrapper.attach} for each physical
 * descendant, nearest refinement first, between the outbox and tagging.
 */
export interface Wrapper {
  /** Shown in hierarchy listings. */
  readonly name: string;
  /** Called once the refinement of `parent` is recorded, before any child starts. */
  refined?(record: RefinementRecord): void;
  /**
   * Installs this refinement's roles on `physical`, a physical agent that
   * is `child` or descends from it (`child` being a child of `parent`).
   */
  attach(host: ProtocolHost, parent: Path, child: Path, physical: Path): void;
  /**
   * Called before `child`, a crashed physical child of `parent`, is started
   * again under a new incarnation (the manager's `restart`); its roles are
   * then attached again. Throw to refuse. Without this hook a child cannot
   * be restarted: a restarted child numbers its messages from 1 again, and
   * they reach other agents merged into messages of `parent` (incarnation
   * 0), so only a wrapper that makes the child rejoin its siblings'
   * numbering (replicas replaying a durable log) may allow it.
   */
  restarting?(parent: Path, child: Path): void;
  /** Called before a refinement change is recorded; throw to refuse it (a wrapper that cannot move its state). */
  changing?(current: RefinementRecord, children: readonly Path[]): void;
  /** Called after a refinement change, once added children are started and removed ones stopped. */
  changed?(record: RefinementRecord, added: readonly Path[], removed: readonly Path[]): void;
}
