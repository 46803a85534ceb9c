import type { Socket } from 'node:net';
import { encodePacket, PacketReader, ProtocolError } from '../codec/index.js';
import type { Packet } from '../codec/index.js';
import { SocketPump } from '../../socket-pump.js';
import { UpstreamError } from './errors.js';

/**
 * Packets one at a time while the dialer runs the connection phase (see SocketPump),
 * numbering what it sends after what it received.
 */
export class PacketPump extends SocketPump<Packet> {
  /** The sequence id of the next packet sent. */
  sequenceId = 0;

  constructor(socket: Socket, peer: string) {
    super(socket, new PacketReader(), {
      failed: (err) => new UpstreamError(`the connection to ${peer} failed: ${err.message}`, { cause: err }),
      closed: () => new UpstreamError(`${peer} closed the connection during the handshake`),
      malformed: (err) => (err instanceof ProtocolError ? new UpstreamError(`${peer} broke the protocol: ${err.message}`, { cause: err }) : undefined),
    });
  }

  override async next(): Promise<Packet> {
    const packet = await super.next();
    this.sequenceId = (packet.lastSequenceId + 1) & 0xff;
    return packet;
  }

  send(payload: Buffer): void {
    const bytes = encodePacket(this.sequenceId, payload);
    this.sequenceId = (this.sequenceId + Math.floor(payload.length / 0xffffff) + 1) & 0xff;
    this.socket.write(bytes);
  }
}
