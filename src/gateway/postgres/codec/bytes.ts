import { ProtocolError } from './errors.js';

/**
 * Reading and writing the data types of "Message Data Types": Int16/Int32 in network byte
 * order, String (NUL-terminated, no NUL inside), Byte<n>. Every read is bounds-checked so a
 * malformed body ends in a ProtocolError, never in a RangeError or a silent misread.
 */
export class BodyReader {
  private pos = 0;

  /** `what` names the message in errors ("Bind", "StartupMessage", …). */
  constructor(
    private readonly body: Buffer,
    private readonly what: string,
  ) {}

  get remaining(): number {
    return this.body.length - this.pos;
  }

  fail(problem: string): never {
    throw new ProtocolError(`invalid ${this.what} message: ${problem}`);
  }

  private need(n: number): void {
    if (this.body.length - this.pos < n) this.fail(`${n} more bytes expected, ${this.remaining} left`);
  }

  byte(): number {
    this.need(1);
    return this.body[this.pos++]!;
  }

  int16(): number {
    this.need(2);
    const v = this.body.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  /** Counts (of parameters, formats, columns) are read as PostgreSQL's pq_getmsgint(…, 2) does: unsigned. */
  uint16(): number {
    this.need(2);
    const v = this.body.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  int32(): number {
    this.need(4);
    const v = this.body.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  uint32(): number {
    this.need(4);
    const v = this.body.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  /** A String: the bytes up to the next NUL, decoded as UTF-8; the NUL is consumed. */
  cstring(): string {
    const end = this.body.indexOf(0, this.pos);
    if (end < 0) this.fail('a string is not NUL-terminated');
    const s = this.body.toString('utf8', this.pos, end);
    this.pos = end + 1;
    return s;
  }

  /** n bytes as a view into the body (no copy). */
  bytes(n: number): Buffer {
    if (n < 0) this.fail(`negative length ${n}`);
    this.need(n);
    const b = this.body.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  /** Everything left, as a view. */
  rest(): Buffer {
    const b = this.body.subarray(this.pos);
    this.pos = this.body.length;
    return b;
  }

  /** The message must end here: trailing bytes mean the sender and we disagree on its layout. */
  end(): void {
    if (this.pos !== this.body.length) this.fail(`${this.remaining} unexpected trailing bytes`);
  }
}

/**
 * Builds one message: the type byte (none for startup-phase packets), an Int32 length that
 * counts itself and the body, then the body. The length is patched in by finish().
 */
export class MessageWriter {
  private buf: Buffer;
  private pos: number;
  private readonly start: number;

  constructor(type: number | null, sizeHint = 64) {
    this.buf = Buffer.allocUnsafe(Math.max(sizeHint, 16));
    if (type === null) {
      this.start = 0;
    } else {
      this.buf[0] = type;
      this.start = 1;
    }
    this.pos = this.start + 4;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const grown = Buffer.allocUnsafe(size);
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
  }

  byte(v: number): this {
    this.ensure(1);
    this.buf[this.pos++] = v & 0xff;
    return this;
  }

  int16(v: number): this {
    this.ensure(2);
    this.buf.writeInt16BE(v, this.pos);
    this.pos += 2;
    return this;
  }

  uint16(v: number): this {
    this.ensure(2);
    this.buf.writeUInt16BE(v, this.pos);
    this.pos += 2;
    return this;
  }

  int32(v: number): this {
    this.ensure(4);
    this.buf.writeInt32BE(v, this.pos);
    this.pos += 4;
    return this;
  }

  uint32(v: number): this {
    this.ensure(4);
    this.buf.writeUInt32BE(v, this.pos);
    this.pos += 4;
    return this;
  }

  /** A String. A NUL inside would end it early on the wire and shift every later field, so it is refused. */
  cstring(s: string): this {
    if (s.includes('\0')) throw new ProtocolError('a protocol string cannot contain a NUL character');
    const n = Buffer.byteLength(s);
    this.ensure(n + 1);
    this.buf.write(s, this.pos, n, 'utf8');
    this.pos += n;
    this.buf[this.pos++] = 0;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  finish(): Buffer {
    this.buf.writeInt32BE(this.pos - this.start, this.start);
    return this.buf.subarray(0, this.pos);
  }
}

/** A message with no body (Sync, Flush, Terminate, CopyDone, BindComplete, …): type + length 4. */
export function emptyMessage(type: number): Buffer {
  const b = Buffer.allocUnsafe(5);
  b[0] = type;
  b.writeInt32BE(4, 1);
  return b;
}

/** Checks that a count fits the Int16 the protocol gives it ("Message Formats"). */
export function checkCount(n: number, what: string): number {
  if (!Number.isInteger(n) || n < 0 || n > 0xffff) throw new ProtocolError(`too many ${what}: ${n} (at most 65535)`, '54000');
  return n;
}
