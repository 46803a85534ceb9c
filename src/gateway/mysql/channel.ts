import type { Socket } from 'node:net';
import { ClientGoneError } from '../errors.js';
import { encodePacket, PacketReader, ProtocolError, type Packet } from './codec/index.js';

/**
 * Packet-at-a-time reading for the connection phase ("Connection Phase"): the client's
 * SSLRequest or HandshakeResponse41 and its authentication answers. The channel keeps the
 * sequence ids: each packet answers the last one with the next id. Each read waits at most
 * `timeoutMs` (MySQL's connect_timeout), so a silent client cannot hold a slot forever.
 */
export class MysqlChannel {
  private reader: PacketReader;
  private waiter: (() => void) | undefined;
  private failure: Error | undefined;
  /** The sequence id of the last packet read or sent. */
  private sequence = 0;
  private readonly onData = (chunk: Buffer) => {
    this.reader.push(chunk);
    this.waiter?.();
  };
  private readonly onEnd = () => this.fail(new ClientGoneError('the client closed the connection'));
  private readonly onError = (error: Error) => this.fail(new ClientGoneError(`the client connection failed: ${error.message}`));

  /**
   * `received`: bytes the client sent that an earlier reader took off the socket and did not
   * use (a session handing its client over for COM_CHANGE_USER). The sequence starts as if a
   * packet with id 0 had been read: right for a command's exchange, and sendFirst resets it.
   */
  constructor(
    public socket: Socket,
    private readonly timeoutMs: number,
    private readonly maxPacketBytes: number,
    received?: Buffer,
  ) {
    this.reader = new PacketReader({ maxPacketBytes });
    if (received) this.reader.push(received);
    this.listen(socket);
  }

  /** Sends one packet with the next sequence id. */
  send(payload: Buffer): void {
    this.sequence = (this.sequence + 1) & 0xff;
    if (this.socket.writable) this.socket.write(encodePacket(this.sequence, payload));
  }

  /** The first packet of the conversation (the greeting) has sequence id 0. */
  sendFirst(payload: Buffer): void {
    this.sequence = -1;
    this.send(payload);
  }

  /** The client's next packet; it must carry the next sequence id. */
  async next(): Promise<Packet> {
    const packet = await this.read();
    const expected = (this.sequence + 1) & 0xff;
    if (packet.sequenceId !== expected) {
      throw new ProtocolError(`packets out of order: sequence id ${packet.sequenceId}, expected ${expected}`, 1156, '08S01');
    }
    this.sequence = packet.lastSequenceId;
    return packet;
  }

  /** The sequence id the next packet sent will carry. */
  get nextSequence(): number {
    return (this.sequence + 1) & 0xff;
  }

  /** Continues on `socket` (the TLS socket over the old one), with the same sequence. */
  switchTo(socket: Socket): void {
    this.unlisten(this.socket);
    this.socket = socket;
    this.reader = new PacketReader({ maxPacketBytes: this.maxPacketBytes });
    this.listen(socket);
  }

  /** Stops listening and hands over whatever the client sent beyond the last packet read. */
  detach(): Buffer {
    this.unlisten(this.socket);
    this.socket.pause();
    return this.reader.takeRemainder();
  }

  private listen(socket: Socket): void {
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('close', this.onEnd);
    socket.on('error', this.onError);
  }

  private unlisten(socket: Socket): void {
    socket.off('data', this.onData);
    socket.off('end', this.onEnd);
    socket.off('close', this.onEnd);
    socket.off('error', this.onError);
  }

  private read(): Promise<Packet> {
    return new Promise<Packet>((resolve, reject) => {
      const attempt = (): boolean => {
        try {
          const packet = this.reader.next();
          if (packet) {
            resolve(packet);
            return true;
          }
        } catch (error) {
          reject(error as Error);
          return true;
        }
        if (this.failure) {
          reject(this.failure);
          return true;
        }
        return false;
      };
      if (attempt()) return;
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new ProtocolError('the client took too long to authenticate', 1043, '08S01'));
      }, this.timeoutMs);
      this.waiter = () => {
        if (attempt()) {
          clearTimeout(timer);
          this.waiter = undefined;
        }
      };
      this.socket.resume();
    });
  }

  private fail(error: Error): void {
    this.failure ??= error;
    this.waiter?.();
  }
}

