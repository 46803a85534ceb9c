import type { Socket } from 'node:net';

/** A protocol's incremental reader: bytes in, whole units (messages, packets) out. */
export interface UnitReader<T> {
  push(chunk: Buffer): void;
  /** The next whole unit, or null while it is incomplete; throws on malformed input. */
  next(): T | null;
  takeRemainder(): Buffer;
}

/** How a pump reports what went wrong, in its engine's own error type. */
export interface PumpErrors {
  failed(error: Error): Error;
  closed(): Error;
  /** The reader threw: the protocol error as the caller should see it (the error itself if undefined). */
  malformed(error: Error): Error | undefined;
}

/**
 * Reads units from a socket one at a time (async) while a dialer runs a connection's opening
 * conversation, then steps aside: detach() removes every listener it added, pauses the socket
 * and hands back what arrived after the last unit it returned. Shared by the engines' upstream
 * dialers; each brings its reader and its errors.
 */
export class SocketPump<T> {
  private failure: Error | null = null;
  private wake: (() => void) | null = null;

  constructor(
    protected readonly socket: Socket,
    private readonly reader: UnitReader<T>,
    private readonly errors: PumpErrors,
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
    this.failure ??= this.errors.failed(err);
    this.notify();
  };

  private readonly onClose = (): void => {
    this.failure ??= this.errors.closed();
    this.notify();
  };

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  async next(): Promise<T> {
    for (;;) {
      let unit: T | null;
      try {
        unit = this.reader.next();
      } catch (err) {
        throw this.errors.malformed(err as Error) ?? err;
      }
      if (unit) return unit;
      if (this.failure) throw this.failure;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  detach(): Buffer {
    this.socket.off('data', this.onData);
    this.socket.off('error', this.onError);
    this.socket.off('close', this.onClose);
    this.socket.pause();
    return this.reader.takeRemainder();
  }
}
