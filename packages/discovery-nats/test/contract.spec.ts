import { discoveryContract } from '@escher/conformance';
import { natsHarness, useNatsServer } from './helpers';

describe('NatsDiscovery contract', () => {
  const server = useNatsServer();
  discoveryContract('NatsDiscovery (secure)', async () => natsHarness(() => server().url));
  discoveryContract('NatsDiscovery (insecure mode)', async () => natsHarness(() => server().url, { insecure: true }));
});
