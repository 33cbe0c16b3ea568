/**
 * The far end of every link the benchmark measures, run as a separate
 * process (`fork`), as a peer runtime would be: it listens, receives and
 * counts (a sink) or answers (an echo). Driven over the IPC channel; it
 * prints nothing and exits when the channel closes.
 */
import { type AddressInfo, type Server, createServer } from 'node:net';
import type { NetworkEndpoint } from '@escher/core';
import { CertificateChain, Identity, SecureNetwork, SigningKey, TrustStore, initPki } from '@escher/pki';
import { MsgpackCodec, UwsNetwork } from '@escher/transport-uws';
import { WebSocketServer } from 'ws';
import { RecordCounter, SERVER_PATH } from './messages';
import type { Command, DoneEvent, Reply, Request } from './protocol';

interface EscherSide {
  readonly uws: UwsNetwork;
  readonly key: SigningKey;
  readonly mode: 'sink' | 'echo';
  endpoint?: NetworkEndpoint;
}

const escher = new Map<string, EscherSide>();
const servers: { close(): void }[] = [];
let expected = Number.POSITIVE_INFINITY;
let counted = 0;

function count(n: number): void {
  counted += n;
  if (counted >= expected) {
    expected = Number.POSITIVE_INFINITY;
    const done: DoneEvent = { event: 'done', count: counted };
    process.send?.(done);
  }
}

async function handle(c: Command): Promise<Omit<Reply, 'id'>> {
  switch (c.cmd) {
    case 'escher-listen': {
      await initPki();
      const uws = new UwsNetwork({ resolve: (id) => (id === c.clientName ? c.clientUrl : undefined) });
      const { url } = await uws.start();
      const key = SigningKey.generate();
      escher.set(c.name, { uws, key, mode: c.mode });
      return { url, publicKey: Buffer.from(key.publicKey).toString('hex') };
    }
    case 'escher-certify': {
      const side = escher.get(c.name);
      if (side === undefined) throw new Error(`no side ${c.name}`);
      const chain = CertificateChain.decode(Buffer.from(c.chain, 'hex'));
      const root = CertificateChain.decode(Buffer.from(c.root, 'hex')).leaf;
      const secure = new SecureNetwork(side.uws, {
        identities: [new Identity(side.key, chain)],
        trust: new TrustStore({ roots: [root] }),
        protection: 'mac',
      });
      const codec = new MsgpackCodec();
      const endpoint: NetworkEndpoint = secure.attach(c.name, (from, bytes) => {
        const frame = codec.decode(bytes);
        if (side.mode === 'sink') {
          count(frame.messages.length);
          return;
        }
        // Echo: one reply per request, as a server agent would answer.
        const replies = frame.messages.map((m) => ({ id: m.id, src: SERVER_PATH, dst: m.src, payload: m.payload }));
        if (replies.length > 0) endpoint.send(from, codec.encode({ v: 1, from: c.name, messages: replies }));
      });
      side.endpoint = endpoint;
      return {};
    }
    case 'ws-listen': {
      const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false, maxPayload: 64 * 1024 * 1024 });
      await new Promise((resolve) => wss.once('listening', resolve));
      servers.push(wss);
      const counter = new RecordCounter();
      wss.on('connection', (ws) => {
        ws.on('message', (data: Buffer) => {
          if (c.mode === 'echo') ws.send(data);
          else count(counter.feed(data));
        });
      });
      return { url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/` };
    }
    case 'tcp-listen': {
      const server: Server = createServer((socket) => {
        socket.setNoDelay(true);
        const counter = new RecordCounter();
        socket.on('data', (chunk) => count(counter.feed(chunk)));
        socket.on('error', () => undefined);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      servers.push(server);
      return { port: (server.address() as AddressInfo).port };
    }
    case 'expect':
      counted = 0;
      expected = c.n;
      return {};
    case 'stop':
      await stop();
      return {};
    default: {
      const never: never = c;
      throw new Error(`unknown command ${JSON.stringify(never)}`);
    }
  }
}

async function stop(): Promise<void> {
  for (const side of escher.values()) {
    side.endpoint?.close();
    await side.uws.stop();
  }
  escher.clear();
  for (const s of servers.splice(0)) s.close();
}

process.on('message', (msg: Request) => {
  handle(msg).then(
    (result) => process.send?.({ id: msg.id, ...result } satisfies Reply),
    (e: unknown) => process.send?.({ id: msg.id, error: e instanceof Error ? (e.stack ?? e.message) : String(e) } satisfies Reply),
  );
});

// The benchmark went away (finished or crashed): leave with it.
process.on('disconnect', () => {
  void stop().finally(() => process.exit(0));
});
