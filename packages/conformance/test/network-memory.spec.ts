import { MemoryNetwork } from '@escher/core';
import { networkContract } from '../src';

// One shared in-process network; frames land on a microtask, so one macrotask turn settles them.
networkContract('MemoryNetwork', async () => {
  const shared = new MemoryNetwork();
  return {
    network: () => shared,
    settle: () => new Promise((resolve) => setImmediate(resolve)),
    close: async () => {},
  };
});
