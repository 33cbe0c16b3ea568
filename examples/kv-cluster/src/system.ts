import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SystemDescription } from '@escher/protocol-refinement';

/**
 * The replicated key-value store across four processes (`system.json`, also
 * what `escher cluster run` takes): `/kv` refined into three Raft replicas,
 * each on a node of its own, and `/client` on a fourth.
 */
export const KV_SYSTEM: SystemDescription = JSON.parse(readFileSync(join(__dirname, '..', '..', 'system.json'), 'utf8')) as SystemDescription;
