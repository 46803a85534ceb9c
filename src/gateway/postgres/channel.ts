import type { Socket } from 'node:net';
import { ClientGoneError } from '../errors.js';
import { FrameReader, ProtocolError, type Frame } from './codec/index.js';

/**
 * Message-at-a-time reading for the conversation before a session relays: the startup
 * packet, TLS negotiation and authentication. Each read waits at most `timeoutMs` (like
 * PostgreSQL's authentication_timeout), so a silent client cannot hold a slot forever.
 */
export class StartupChannel {
  private readonly reader: FrameReader;
  private waiter: (() => void) | undefined;
  private failure: Error | undefined;
  private readonly onData = (chunk: Buffer) => {
    this.reader.push(chunk);
    this.wake();
  };
  private readonly onEnd = () => this.fail(new ClientGoneError('the client closed the connection'));
  private readonly onError = (error: Error) => this.fail(new ClientGoneError(`the client connection failed: ${error.message}`));

  constructor(
    readonly socket: Socket,
    private readonly timeoutMs: number,
    maxMessageBytes: number,
    initial?: Buffer,
  ) {
    this.reader = new FrameReader({ maxMessageBytes });
    if (initial && initial.length > 0) this.reader.push(initial);
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('close', this.onEnd);
    socket.on('error', this.onError);
  }

  /** The next untyped packet of the startup phase (its body). */
  nextStartup(): Promise<Buffer> {
    return this.read(() => this.reader.nextStartup());
  }

  /** The next typed message. */
  next(): Promise<Frame> {
    return this.read(() => this.reader.next());
  }

  send(...messages: Buffer[]): void {
    if (this.socket.writable) this.socket.write(messages.length === 1 ? messages[0]! : Buffer.concat(messages));
  }

  /** Bytes received but not read: a client must not send ahead of a TLS handshake. */
  get buffered(): number {
    return this.reader.buffered;
  }

  /** Stops listening and hands over whatever was received beyond the last message read. */
  detach(): Buffer {
    this.socket.off('data', this.onData);
    this.socket.off('end', this.onEnd);
    this.socket.off('close', this.onEnd);
    this.socket.off('error', this.onError);
    this.socket.pause();
    return this.reader.takeRemainder();
  }

  private read<T>(take: () => T | null): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const attempt = (): boolean => {
        try {
          const value = take();
          if (value !== null) {
            resolve(value);
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
        reject(new ProtocolError('the client took too long to authenticate', '08P01'));
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

  private wake(): void {
    this.waiter?.();
  }

  private fail(error: Error): void {
    this.failure ??= error;
    this.wake();
  }
}

export { ClientGoneError };
