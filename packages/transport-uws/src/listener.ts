import * as uWS from 'uWebSockets.js';
import { AcceptedConnection, CloseCode, type ConnectionEvents } from './connection';
import { ListenError } from './errors';
import type { ListeningAddress, Settings } from './options';
import { KIND_DATA } from './wire';

type UserData = { conn?: AcceptedConnection };

/**
 * The accepting side: a uWebSockets.js app with one WebSocket route, its
 * limits taken from the settings, every event handed to `events`.
 */
export class Listener {
  /** Accepted connections still open. */
  readonly connections = new Set<AcceptedConnection>();

  private constructor(
    private readonly socket: uWS.us_listen_socket,
    readonly address: ListeningAddress,
  ) {}

  /** Binds `host:port` (0: any free port). @throws ListenError */
  static async open(host: string, port: number, settings: Settings, events: ConnectionEvents): Promise<Listener> {
    let listener: Listener | undefined;
    const app = uWS.App();
    app.ws<UserData>('/*', {
      compression: uWS.DISABLED,
      // Checked by uWS on the declared length, and on the total of a fragmented message, before it buffers anything.
      maxPayloadLength: settings.maxPacketBytes,
      // Writing stops at highWaterBytes; uWS's own limit is a backstop above it.
      maxBackpressure: settings.highWaterBytes + 4 * settings.maxPacketBytes,
      closeOnBackpressureLimit: 0,
      // Dead peers show as missing acknowledgements (ackTimeoutMs) or as TCP errors; idle links are kept.
      idleTimeout: 0,
      sendPingsAutomatically: false,
      open: (ws) => {
        const conn = new AcceptedConnection(ws, events);
        ws.getUserData().conn = conn;
        listener?.connections.add(conn);
        events.opened(conn);
      },
      message: (ws, message, isBinary) => {
        const conn = ws.getUserData().conn;
        if (conn === undefined) return;
        // The ArrayBuffer is valid during this callback only: DATA is copied, since delivered frames outlive it.
        const view = new Uint8Array(message);
        events.packet(conn, view.length > 1 && view[1] === KIND_DATA ? Buffer.from(view) : Buffer.from(message), isBinary);
      },
      drain: (ws) => {
        const conn = ws.getUserData().conn;
        if (conn !== undefined) events.drain(conn);
      },
      close: (ws, code, message) => {
        const conn = ws.getUserData().conn;
        if (conn === undefined) return;
        listener?.connections.delete(conn);
        conn.onClosed(code, Buffer.from(message).toString('utf8'));
      },
    });
    const socket = await new Promise<uWS.us_listen_socket | false>((resolve) => app.listen(host, port, resolve));
    if (socket === false) throw new ListenError(host, port);
    const bound = uWS.us_socket_local_port(socket as unknown as uWS.us_socket);
    listener = new Listener(socket, { host, port: bound, url: `ws://${host.includes(':') ? `[${host}]` : host}:${bound}/` });
    return listener;
  }

  /** Closes every accepted connection and the listening socket. */
  close(): void {
    for (const c of [...this.connections]) c.close(CloseCode.goingAway, 'stopping');
    this.connections.clear();
    uWS.us_listen_socket_close(this.socket);
  }
}
