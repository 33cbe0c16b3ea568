import type { SystemDescription } from '@escher/protocol-refinement';

/**
 * The replicated key-value store across four processes: `/kv` refined into
 * three Raft replicas, each on a node of its own, and `/client` on a fourth.
 */
export const KV_SYSTEM: SystemDescription = {
  entries: [
    {
      kind: 'refine',
      parent: '/kv',
      children: ['1', '2', '3'],
      merge: { waitForMatching: 1 },
      behavior: 'kv',
      wrapper: 'raft',
      nodes: { '1': 'kv-1', '2': 'kv-2', '3': 'kv-3' },
    },
    { kind: 'agent', path: '/client', behavior: 'client', node: 'client' },
  ],
};
