import { Simulator } from '@escher/sim';
import { networkContract } from '../src';

// The simulator's network delivers in virtual time: settling is running the simulation until nothing is scheduled.
networkContract('Simulator network', async () => {
  const sim = new Simulator({ seed: 1, codec: 'json' });
  return {
    network: () => sim.network,
    settle: async () => {
      sim.run({ maxSteps: 1_000_000 });
    },
    close: async () => {},
  };
});
