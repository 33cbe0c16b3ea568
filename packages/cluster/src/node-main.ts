/**
 * Entry point of a node process started by the launcher (`Cluster`): waits
 * for its configuration over IPC, starts the node, reports readiness and
 * the client reports of its agents, and stops on request. Errors go back
 * to the launcher as messages; the process exits non-zero on any failure.
 */
import type { SystemRegistry } from '@escher/protocol-refinement';
import type { FromNode, NodeEnv, ToNode } from './node-config';
import { type RunningNode, startNode } from './node-process';

function send(m: FromNode): void {
  process.send?.(m);
}

let running: RunningNode | undefined;
let name = '(unstarted)';

process.on('message', (m: ToNode) => {
  if (m.type === 'start') {
    name = m.config.node;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(m.config.registryModule) as { createRegistry: (env: NodeEnv) => SystemRegistry };
    startNode(m.config, mod.createRegistry, (report) => send({ type: 'report', node: name, report }))
      .then((n) => {
        running = n;
        send({ type: 'ready', node: name, address: n.address, agents: n.agents });
      })
      .catch((e: unknown) => {
        send({ type: 'failed', node: name, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
        process.exitCode = 1;
        setTimeout(() => process.exit(1), 50);
      });
  } else if (m.type === 'stop') {
    const n = running;
    const stats = { transport: n?.transport.stats, links: n?.network.rejections.snapshot(), discovery: n?.discovery.stats };
    void (n?.close() ?? Promise.resolve()).finally(() => {
      send({ type: 'stopped', node: name, stats: JSON.parse(JSON.stringify(stats)) as Record<string, unknown> });
      setTimeout(() => process.exit(0), 20);
    });
  }
});
process.on('disconnect', () => process.exit(0));
