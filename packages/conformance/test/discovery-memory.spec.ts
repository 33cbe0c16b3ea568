import { MemoryDiscovery } from '@escher/core';
import { discoveryContract } from '../src';

// In process, every runtime shares one table: announcements are visible at once.
discoveryContract('MemoryDiscovery', async () => {
  const shared = new MemoryDiscovery();
  return {
    discovery: () => shared,
    settle: async () => {},
    close: async () => {},
  };
});
