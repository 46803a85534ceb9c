import type { Socket } from 'node:net';
import { FrameReader, ProtocolError } from '../codec/index.js';
import type { Frame } from '../codec/index.js';
import { UpstreamError } from './errors.js';

/**
 * Reads typed messages from a socket one at a time (async) while the dialer runs the
 * startup phase, then steps aside: detach() removes every listener it added, pauses the
 * socket and hands back what arrived after the last message it returned.
 */
export class MessagePump {
  private readonly reader = new FrameReader();
  private failure: Error | null = null;
  private wake: (() => void) | null = null;

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
    this.failure ??= new UpstreamError(`${this.peer} closed the connection during startup`);
    this.notify();
  };

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  async next(): Promise<Frame> {
    for (;;) {
      let frame: Frame | null;
      try {
        frame = this.reader.next();
      } catch (err) {
        if (err instanceof ProtocolError) throw new UpstreamError(`${this.peer} broke the protocol: ${err.message}`, { cause: err });
        throw err;
      }
      if (frame) return frame;
      if (this.failure) throw this.failure;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  send(message: Buffer): void {
    this.socket.write(message);
  }

  detach(): Buffer {
    this.socket.off('data', this.onData);
    this.socket.off('error', this.onError);
    this.socket.off('close', this.onClose);
    this.socket.pause();
    return this.reader.takeRemainder();
  }
}
