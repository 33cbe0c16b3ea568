import { type AddressInfo, type Server, type Socket, createServer, connect } from 'node:net';

/**
 * A TCP relay on 127.0.0.1 in front of a listener, to break links on
 * purpose: each direction can be blackholed (bytes read and discarded, as a
 * lossy path would) and every relayed connection can be cut at once.
 */
export class Relay {
  /** Relay bytes from the dialer to the listener. */
  forward = true;
  /** Relay bytes from the listener back to the dialer. */
  back = true;
  private readonly sockets = new Set<Socket>();
  private server: Server | undefined;

  constructor(private readonly targetPort: number) {}

  /** Starts listening; returns the `ws://` URL to give resolvers. */
  async start(): Promise<string> {
    const server = createServer((client) => {
      const upstream = connect(this.targetPort, '127.0.0.1');
      this.track(client);
      this.track(upstream);
      client.on('data', (d) => {
        if (this.forward) upstream.write(d);
      });
      upstream.on('data', (d) => {
        if (this.back) client.write(d);
      });
      const end = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on('close', end);
      upstream.on('close', end);
      client.on('error', end);
      upstream.on('error', end);
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `ws://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  }

  /** Resets every relayed connection, both sides. */
  cut(): void {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  /** Relayed connections open now (each has two sockets). */
  get connections(): number {
    return this.sockets.size / 2;
  }

  async close(): Promise<void> {
    this.cut();
    const server = this.server;
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private track(s: Socket): void {
    this.sockets.add(s);
    s.on('close', () => this.sockets.delete(s));
  }
}
