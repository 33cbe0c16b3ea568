import { createConnection } from 'node:net';
import { expect } from 'chai';
import { NatsServer, NatsServerNotInstalledError } from '../src';

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

describe('NatsServer', () => {
  describe('start / stop / restart', () => {
    it('should listen on a free 127.0.0.1 port, stop, and come back on the same port', async function () {
      this.timeout(30_000);
      const server = await NatsServer.start();
      try {
        expect(server.url).to.equal(`nats://127.0.0.1:${server.port}`);
        expect(await accepts(server.port)).to.equal(true);
        await server.stop('SIGKILL');
        expect(server.running).to.equal(false);
        expect(await accepts(server.port)).to.equal(false);
        await server.restart();
        expect(await accepts(server.port)).to.equal(true);
      } finally {
        await server.stop();
      }
    });

    it('should fail with a clear message when nats-server is not installed', async () => {
      let error: unknown;
      try {
        await NatsServer.start({ bin: '/nonexistent/nats-server' });
      } catch (e) {
        error = e;
      }
      expect(error).to.be.instanceOf(NatsServerNotInstalledError);
      expect((error as Error).message).to.contain('apt-get install -y nats-server');
    });
  });
});
