export { UwsNetwork } from './uws-network';
export type { UwsNetworkOptions, UwsNetworkStats, ListenOptions, ListeningAddress, LinkInfo } from './options';
export { MsgpackCodec, MSGPACK_CODEC_VERSION } from './msgpack-codec';
export { type BackoffOptions, DEFAULT_BACKOFF, backoffDelay } from './backoff';
export { ErrorCounters } from './counters';
export { CloseCode } from './connection';
export type { LinkStats } from './link';
export {
  TransportError,
  OversizedFrameError,
  MalformedPacketError,
  SequenceError,
  HandshakeRefusedError,
  HandshakeTimeoutError,
  ConnectionError,
  BufferFullError,
  PeerStalledError,
  LinkFailedError,
  UnknownPeerError,
  ReceiverError,
  AlreadyAttachedError,
  ListenError,
} from './errors';
export { LINK_VERSION } from './wire';
