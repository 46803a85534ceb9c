import type { Socket } from 'node:net';
import { encodePacket, PacketReader, ProtocolError } from '../codec/index.js';
import type { Packet } from '../codec/index.js';
import { UpstreamError } from './errors.js';

/**
 * Reads packets from a socket one at a time (async) while the dialer runs the connection
 * phase, numbering what it sends after what it received, then steps aside: detach() removes
 * every listener it added, pauses the socket and hands back what arrived after the last
 * packet it returned.
 */
export class PacketPump {
  private readonly reader = new PacketReader();
  private failure: Error | null = null;
  private wake: (() => void) | null = null;
  /** The sequence id of the next packet sent. */
  sequenceId = 0;

  constructor(
    private readonly socket: Socket,
    private readonly peer: string,
  ) {
    socket.on('data', this.onData);
    socket.on('error', this.onError);
    socket.on('close', this.onClose);
    socket.resume();
  }

  private readonly onData = (chunk: Buffer): void => {
    this.reader.push(chunk);
    this.notify();
  };

  private readonly onError = (err: Error): void => {
    this.failure ??= new UpstreamError(`the connection to ${this.peer} failed: ${err.message}`, { cause: err });
    this.notify();
  };

  private readonly onClose = (): void => {
    this.failure ??= new UpstreamError(`${this.peer} closed the connection during the handshake`);
    this.notify();
  };

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  async next(): Promise<Packet> {
    for (;;) {
      let packet: Packet | null;
      try {
        packet = this.reader.next();
      } catch (err) {
        if (err instanceof ProtocolError) throw new UpstreamError(`${this.peer} broke the protocol: ${err.message}`, { cause: err });
        throw err;
      }
      if (packet) {
        this.sequenceId = (packet.lastSequenceId + 1) & 0xff;
        return packet;
      }
      if (this.failure) throw this.failure;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  send(payload: Buffer): void {
    const bytes = encodePacket(this.sequenceId, payload);
    this.sequenceId = (this.sequenceId + Math.floor(payload.length / 0xffffff) + 1) & 0xff;
    this.socket.write(bytes);
  }

  detach(): Buffer {
    this.socket.off('data', this.onData);
    this.socket.off('error', this.onError);
    this.socket.off('close', this.onClose);
    this.socket.pause();
    return this.reader.takeRemainder();
  }
}
