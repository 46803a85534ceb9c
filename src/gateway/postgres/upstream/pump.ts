import type { Socket } from 'node:net';
import { FrameReader, ProtocolError } from '../codec/index.js';
import type { Frame } from '../codec/index.js';
import { SocketPump } from '../../socket-pump.js';
import { UpstreamError } from './errors.js';

/** Typed messages one at a time while the dialer runs the startup phase (see SocketPump). */
export class MessagePump extends SocketPump<Frame> {
  constructor(socket: Socket, peer: string) {
    super(socket, new FrameReader(), {
      failed: (err) => new UpstreamError(`the connection to ${peer} failed: ${err.message}`, { cause: err }),
      closed: () => new UpstreamError(`${peer} closed the connection during startup`),
      malformed: (err) => (err instanceof ProtocolError ? new UpstreamError(`${peer} broke the protocol: ${err.message}`, { cause: err }) : undefined),
    });
  }

  send(message: Buffer): void {
    this.socket.write(message);
  }
}
