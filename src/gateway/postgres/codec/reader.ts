import { ProtocolError } from './errors.js';

/** One typed message as it arrived. */
export interface Frame {
  /** The message type byte ("Message Formats"), e.g. 0x51 'Q'. */
  type: number;
  /** The message contents after the length field. */
  body: Buffer;
  /** The exact bytes on the wire (type byte + Int32 length + body), for forwarding unchanged. */
  raw: Buffer;
}

/**
 * PostgreSQL's PQ_LARGE_MESSAGE_LIMIT is MaxAllocSize - 1; like the brief of this codec we
 * take 1 GiB - 1 as the default ceiling for one message's length field.
 */
export const DEFAULT_MAX_MESSAGE_BYTES = 0x3fffffff;

/** PostgreSQL's MAX_STARTUP_PACKET_LENGTH (src/include/libpq/pqcomm.h). */
export const MAX_STARTUP_PACKET_LENGTH = 10000;

/** The smallest startup-phase packet: Int32 length + Int32 protocol or request code. */
const MIN_STARTUP_PACKET_LENGTH = 8;

/** Header of a typed message: Byte1 type + Int32 length. */
const HEADER = 5;

const EMPTY = Buffer.alloc(0);

/**
 * Splits a byte stream into protocol messages ("Message Flow", "Message Formats"):
 * startup-phase packets (Int32 length, then body) and typed messages (Byte1 type, Int32
 * length counting itself, then body).
 *
 * The relay frames every message, so this keeps the chunks as they came and copies only
 * when a message spans chunks; a message inside one chunk is returned as views of it.
 * A bad length throws as soon as the header is complete (never waits for bytes that a
 * broken peer will not send), and keeps throwing: the stream cannot be resynchronised.
 */
export class FrameReader {
  private readonly maxMessageBytes: number;
  private chunks: Buffer[] = [];
  /** Index in `chunks` of the first chunk still in use (consumed chunks are dropped lazily). */
  private head = 0;
  /** Read position in chunks[head]. */
  private offset = 0;
  private total = 0;
  private readonly scratch = Buffer.alloc(HEADER);

  constructor(options: { maxMessageBytes?: number } = {}) {
    this.maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  }

  /** Bytes received and not yet returned. */
  get buffered(): number {
    return this.total;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.total += chunk.length;
  }

  /** The next typed message, or null while it is incomplete. */
  next(): Frame | null {
    if (this.total < HEADER) return null;
    const first = this.chunks[this.head]!;
    const inFirst = first.length - this.offset;
    let type: number;
    let length: number;
    if (inFirst >= HEADER) {
      type = first[this.offset]!;
      length = first.readInt32BE(this.offset + 1);
    } else {
      this.peekInto(this.scratch, HEADER);
      type = this.scratch[0]!;
      length = this.scratch.readInt32BE(1);
    }
    if (length < 4) {
      throw new ProtocolError(`invalid message length ${length} for message type 0x${type.toString(16).padStart(2, '0')}`);
    }
    if (length > this.maxMessageBytes) {
      throw new ProtocolError(`message of ${length} bytes exceeds the limit of ${this.maxMessageBytes} bytes`, '54000');
    }
    const size = length + 1;
    if (this.total < size) return null;
    const raw = inFirst >= size ? this.sliceFirst(size) : this.copyOut(size);
    return { type, body: raw.subarray(HEADER), raw };
  }

  /**
   * The next untyped startup-phase packet (StartupMessage, SSLRequest, GSSENCRequest,
   * CancelRequest): its body after the Int32 length, or null while incomplete.
   */
  nextStartup(): Buffer | null {
    if (this.total < 4) return null;
    const first = this.chunks[this.head]!;
    const inFirst = first.length - this.offset;
    let length: number;
    if (inFirst >= 4) {
      length = first.readInt32BE(this.offset);
    } else {
      this.peekInto(this.scratch, 4);
      length = this.scratch.readInt32BE(0);
    }
    // PostgreSQL's ProcessStartupPacket: "invalid length of startup packet" (08P01).
    if (length < MIN_STARTUP_PACKET_LENGTH || length > MAX_STARTUP_PACKET_LENGTH) {
      throw new ProtocolError(`invalid length of startup packet: ${length}`);
    }
    if (this.total < length) return null;
    const raw = inFirst >= length ? this.sliceFirst(length) : this.copyOut(length);
    return raw.subarray(4);
  }

  /** Everything received and not yet returned; the reader is empty afterwards. */
  takeRemainder(): Buffer {
    let out: Buffer;
    if (this.total === 0) out = EMPTY;
    else if (this.chunks.length - this.head === 1) out = this.chunks[this.head]!.subarray(this.offset);
    else out = this.copyOut(this.total);
    this.chunks = [];
    this.head = 0;
    this.offset = 0;
    this.total = 0;
    return out;
  }

  /** Copies the first n buffered bytes into `target` without consuming them (n <= total). */
  private peekInto(target: Buffer, n: number): void {
    let filled = 0;
    let index = this.head;
    let from = this.offset;
    while (filled < n) {
      const chunk = this.chunks[index++]!;
      const take = Math.min(chunk.length - from, n - filled);
      chunk.copy(target, filled, from, from + take);
      filled += take;
      from = 0;
    }
  }

  /** A view of the next n bytes, all inside the first chunk. */
  private sliceFirst(n: number): Buffer {
    const first = this.chunks[this.head]!;
    const out = first.subarray(this.offset, this.offset + n);
    this.offset += n;
    this.total -= n;
    if (this.offset === first.length) this.dropHead();
    return out;
  }

  /** The next n bytes (n <= total) copied into one new buffer, consuming them. */
  private copyOut(n: number): Buffer {
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.chunks[this.head]!;
      const take = Math.min(chunk.length - this.offset, n - filled);
      chunk.copy(out, filled, this.offset, this.offset + take);
      filled += take;
      this.offset += take;
      if (this.offset === chunk.length) this.dropHead();
    }
    this.total -= n;
    return out;
  }

  private dropHead(): void {
    this.chunks[this.head] = EMPTY; // let the chunk be collected
    this.head++;
    this.offset = 0;
    if (this.head === this.chunks.length) {
      this.chunks.length = 0;
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.chunks.length) {
      // Many tiny chunks (a trickling peer): compact now and then instead of shift() per chunk.
      this.chunks = this.chunks.slice(this.head);
      this.head = 0;
    }
  }
}
