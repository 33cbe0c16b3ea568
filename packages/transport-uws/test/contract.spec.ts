import { networkContract } from '@escher/conformance';
import { Cluster } from './helpers';

// One UwsNetwork per runtime id, listening on a free 127.0.0.1 port; a restart re-attaches to the same one.
networkContract(
  'UwsNetwork',
  async () => {
    const cluster = new Cluster();
    return {
      network: (id) => cluster.network(id),
      settle: () => cluster.settle(),
      close: () => cluster.close(),
    };
  },
  { maxFrameBytes: 1024 * 1024 },
);
