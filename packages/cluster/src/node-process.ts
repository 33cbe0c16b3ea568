import { readFileSync } from 'node:fs';
import { type Path, type Runtime, createRuntime } from '@escher/core';
import { NatsDiscovery } from '@escher/discovery-nats';
import { KeyStore, SecureNetwork, initPki } from '@escher/pki';
import { CertifiedMergeAuthority, Hierarchy, Manager, type MergeSpec, type SystemDescription, type SystemRegistry, deploySystem } from '@escher/protocol-refinement';
import { MsgpackCodec, UwsNetwork } from '@escher/transport-uws';
import { LocalDeployer } from './local-deployer';
import type { NodeConfig, NodeEnv } from './node-config';
import { placementOf } from './placement';

/** One node of a system running in this process: its runtime and the services under it. */
export interface RunningNode {
  readonly runtime: Runtime;
  readonly network: SecureNetwork;
  readonly transport: UwsNetwork;
  readonly discovery: NatsDiscovery;
  readonly manager: Manager;
  readonly address: string;
  readonly agents: readonly Path[];
  /** Stops the agents and closes links and the discovery connection. */
  close(): Promise<void>;
}

/** The merge spec of every refined agent of a description, as every process computes it. */
export function specsOf(description: SystemDescription): Map<Path, MergeSpec> {
  const h = new Hierarchy();
  const out = new Map<Path, MergeSpec>();
  for (const e of description.entries) {
    if (e.kind !== 'refine') continue;
    const r = h.refine(e.parent, { children: e.children, ...(e.merge === undefined ? {} : { merge: e.merge }) });
    out.set(r.parent, r.merge.spec);
  }
  return out;
}

/**
 * Starts the node `config.node` of a system in this process (Escher §3.2):
 * listens with uWebSockets.js, announces its address and the agents it
 * hosts on NATS (signed, with their certificates), authenticates every link
 * with the agents' certificate chains, checks merges against certificates,
 * then applies the whole system description, starting only its own agents.
 */
export async function startNode(config: NodeConfig, registry: (env: NodeEnv) => SystemRegistry, report: (r: unknown) => void = () => undefined): Promise<RunningNode> {
  await initPki();
  const description = JSON.parse(readFileSync(config.descriptionFile, 'utf8')) as SystemDescription;
  const agents = placementOf(description).get(config.node) ?? [];
  const store = KeyStore.open(config.keyStoreDir);
  const identities = agents.map((p) => store.identity(p));
  const discovery = new NatsDiscovery({ servers: config.nats, system: config.system, identities, trust: store.trustStore(), heartbeatMs: 500 });
  let network: SecureNetwork | undefined;
  const transport = new UwsNetwork({
    resolve: (rt) => discovery.addressOf(rt),
    listen: { host: config.host ?? '127.0.0.1', port: 0 },
    // A peer that restarted has lost its sessions: offer a new one at once rather than on its first refusal.
    onPeerRestart: (peer) => network?.rekey(peer),
  });
  const address = (await transport.start()).url;
  network = new SecureNetwork(transport, { identities, trust: store.trustStore(), protection: config.protection });
  const authority = new CertifiedMergeAuthority(store.trustStore());
  authority.follow(network);
  const specs = specsOf(description);
  for (const p of agents) authority.addLocal(store.chain(p), specs);
  await discovery.start();
  discovery.announceRuntime(config.node, address);
  const runtime = createRuntime({ id: config.node, network, discovery, codec: new MsgpackCodec() });
  const manager = new Manager(new LocalDeployer(runtime, config.node, config.incarnation), { refinement: { authority } });
  deploySystem(manager, description, registry({ node: config.node, dataDir: config.dataDir, incarnation: config.incarnation, settings: config.settings ?? {}, report }));
  return {
    runtime,
    network,
    transport,
    discovery,
    manager,
    address,
    agents,
    async close() {
      runtime.close();
      await discovery.close();
      await transport.stop();
    },
  };
}
