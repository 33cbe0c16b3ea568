import type { RuntimeId } from '@escher/core';
import WebSocket from 'ws';
import { type ConnectionEvents, DialedConnection } from './connection';
import type { Settings } from './options';

/**
 * The dialling side: a `ws` client to `url` for the link to `peer`, its
 * limits taken from the settings, every event handed to `events`.
 * @throws whatever `ws` throws for a malformed URL
 */
export function dial(url: string, peer: RuntimeId, settings: Settings, events: ConnectionEvents): DialedConnection {
  const socket = new WebSocket(url, {
    perMessageDeflate: false,
    // ws checks the declared length (and the total of fragments) before it buffers a message.
    maxPayload: settings.maxPacketBytes,
    handshakeTimeout: settings.handshakeTimeoutMs,
    followRedirects: false,
    skipUTF8Validation: true,
    // An all-zero mask makes ws skip masking: masking protects browsers' proxies, not links between runtimes.
    generateMask: () => undefined,
  });
  socket.binaryType = 'nodebuffer';
  const conn = new DialedConnection(socket, url, events, settings.highWaterBytes / 2);
  conn.peer = peer;
  socket.on('open', () => {
    if (!conn.closed) events.opened(conn);
  });
  socket.on('message', (data: Buffer, isBinary: boolean) => {
    if (!conn.closed) events.packet(conn, data, isBinary);
  });
  socket.on('error', (err: Error) => {
    // 'close' follows; it reports this as the cause.
    conn.failure = err;
  });
  socket.on('close', (code: number, reason: Buffer) => conn.markClosed(code, reason.toString('utf8')));
  return conn;
}
