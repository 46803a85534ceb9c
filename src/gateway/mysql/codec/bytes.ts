import { ProtocolError } from './errors.js';

/**
 * The basic data types of "Basic Data Types": fixed-length little-endian integers (int<1> …
 * int<8>), length-encoded integers (int<lenenc>), and strings that are fixed-length,
 * NUL-terminated, length-encoded or run to the end of the packet (string<EOF>). Every read
 * is bounds-checked: a malformed payload ends in a ProtocolError, never in a RangeError or a
 * read past the payload.
 */
export class PayloadReader {
  private pos = 0;

  /** `what` names the packet in errors ("OK_Packet", "COM_STMT_EXECUTE", …). */
  constructor(
    private readonly payload: Buffer,
    private readonly what: string,
    start = 0,
  ) {
    this.pos = start;
  }

  get remaining(): number {
    return this.payload.length - this.pos;
  }

  get position(): number {
    return this.pos;
  }

  fail(problem: string): never {
    throw new ProtocolError(`malformed ${this.what}: ${problem}`);
  }

  private need(n: number): void {
    if (this.payload.length - this.pos < n) this.fail(`${n} more bytes expected, ${this.remaining} left`);
  }

  /** The next byte without consuming it, or -1 at the end. */
  peek(): number {
    return this.pos < this.payload.length ? this.payload[this.pos]! : -1;
  }

  u8(): number {
    this.need(1);
    return this.payload[this.pos++]!;
  }

  u16(): number {
    this.need(2);
    const v = this.payload.readUInt16LE(this.pos);
    this.pos += 2;
    return v;
  }

  u24(): number {
    this.need(3);
    const v = this.payload.readUIntLE(this.pos, 3);
    this.pos += 3;
    return v;
  }

  u32(): number {
    this.need(4);
    const v = this.payload.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  u64(): bigint {
    this.need(8);
    const v = this.payload.readBigUInt64LE(this.pos);
    this.pos += 8;
    return v;
  }

  i8(): number {
    this.need(1);
    return this.payload.readInt8(this.pos++);
  }

  i16(): number {
    this.need(2);
    const v = this.payload.readInt16LE(this.pos);
    this.pos += 2;
    return v;
  }

  i32(): number {
    this.need(4);
    const v = this.payload.readInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  i64(): bigint {
    this.need(8);
    const v = this.payload.readBigInt64LE(this.pos);
    this.pos += 8;
    return v;
  }

  f32(): number {
    this.need(4);
    const v = this.payload.readFloatLE(this.pos);
    this.pos += 4;
    return v;
  }

  f64(): number {
    this.need(8);
    const v = this.payload.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }

  /**
   * int<lenenc> ("Length-Encoded Integer Type"): < 0xFB itself; 0xFC + int<2>; 0xFD + int<3>;
   * 0xFE + int<8>. 0xFB (NULL in a text row) and 0xFF (an ERR header) are not integers: the
   * result is null for 0xFB, and 0xFF fails.
   */
  lenencOrNull(): bigint | null {
    const first = this.u8();
    if (first < 0xfb) return BigInt(first);
    switch (first) {
      case 0xfb:
        return null;
      case 0xfc:
        return BigInt(this.u16());
      case 0xfd:
        return BigInt(this.u24());
      case 0xfe:
        return this.u64();
      default:
        return this.fail('0xff is not a length-encoded integer');
    }
  }

  /** A length-encoded integer that may be large (affected rows, last insert id). */
  lenencBig(): bigint {
    const v = this.lenencOrNull();
    if (v === null) this.fail('unexpected NULL (0xfb) where a length-encoded integer belongs');
    return v;
  }

  /** A length-encoded count or length: it must fit a safe integer (and, for lengths, the packet). */
  lenenc(): number {
    const v = this.lenencBig();
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) this.fail(`length-encoded integer ${v} is too large`);
    return Number(v);
  }

  /** n bytes as a view into the payload (no copy). */
  bytes(n: number): Buffer {
    if (!Number.isInteger(n) || n < 0) this.fail(`invalid length ${n}`);
    this.need(n);
    const b = this.payload.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  /** string<lenenc> as bytes. */
  lenencBytes(): Buffer {
    return this.bytes(this.lenenc());
  }

  /** string<lenenc>, or null for the 0xFB of a text row. */
  lenencBytesOrNull(): Buffer | null {
    const n = this.lenencOrNull();
    if (n === null) return null;
    if (n > BigInt(this.remaining)) this.fail(`a string of ${n} bytes does not fit the ${this.remaining} left`);
    return this.bytes(Number(n));
  }

  lenencString(): string {
    return this.lenencBytes().toString('utf8');
  }

  /** string<NUL>: the bytes up to the next NUL; the NUL is consumed. */
  cstringBytes(): Buffer {
    const end = this.payload.indexOf(0, this.pos);
    if (end < 0) this.fail('a string is not NUL-terminated');
    const b = this.payload.subarray(this.pos, end);
    this.pos = end + 1;
    return b;
  }

  cstring(): string {
    return this.cstringBytes().toString('utf8');
  }

  /** string<EOF>: everything left, as a view. */
  rest(): Buffer {
    const b = this.payload.subarray(this.pos);
    this.pos = this.payload.length;
    return b;
  }

  skip(n: number): void {
    this.bytes(n);
  }

  /** The packet must end here: trailing bytes mean the sender and we disagree on its layout. */
  end(): void {
    if (this.pos !== this.payload.length) this.fail(`${this.remaining} unexpected trailing bytes`);
  }
}

/** Builds one payload (without the packet header: encodePacket adds it). */
export class PayloadWriter {
  private buf: Buffer;
  private pos = 0;

  constructor(sizeHint = 64) {
    this.buf = Buffer.allocUnsafe(Math.max(sizeHint, 16));
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const grown = Buffer.allocUnsafe(size);
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
  }

  u8(v: number): this {
    this.ensure(1);
    this.buf[this.pos++] = v & 0xff;
    return this;
  }

  u16(v: number): this {
    this.ensure(2);
    this.buf.writeUInt16LE(v & 0xffff, this.pos);
    this.pos += 2;
    return this;
  }

  u24(v: number): this {
    this.ensure(3);
    this.buf.writeUIntLE(v & 0xffffff, this.pos, 3);
    this.pos += 3;
    return this;
  }

  u32(v: number): this {
    this.ensure(4);
    this.buf.writeUInt32LE(v >>> 0, this.pos);
    this.pos += 4;
    return this;
  }

  u64(v: bigint): this {
    this.ensure(8);
    this.buf.writeBigUInt64LE(BigInt.asUintN(64, v), this.pos);
    this.pos += 8;
    return this;
  }

  i64(v: bigint): this {
    this.ensure(8);
    this.buf.writeBigInt64LE(BigInt.asIntN(64, v), this.pos);
    this.pos += 8;
    return this;
  }

  f32(v: number): this {
    this.ensure(4);
    this.buf.writeFloatLE(v, this.pos);
    this.pos += 4;
    return this;
  }

  f64(v: number): this {
    this.ensure(8);
    this.buf.writeDoubleLE(v, this.pos);
    this.pos += 8;
    return this;
  }

  /** int<lenenc>, the shortest form ("Length-Encoded Integer Type"). */
  lenenc(v: number | bigint): this {
    const n = BigInt(v);
    if (n < 0n || n > 0xffffffffffffffffn) throw new RangeError(`${v} does not fit a length-encoded integer`);
    if (n < 0xfbn) return this.u8(Number(n));
    if (n <= 0xffffn) return this.u8(0xfc).u16(Number(n));
    if (n <= 0xffffffn) return this.u8(0xfd).u24(Number(n));
    return this.u8(0xfe).u64(n);
  }

  /** The 0xFB that stands for NULL in a text row. */
  nullValue(): this {
    return this.u8(0xfb);
  }

  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  zeros(n: number): this {
    this.ensure(n);
    this.buf.fill(0, this.pos, this.pos + n);
    this.pos += n;
    return this;
  }

  /** string<lenenc>. */
  lenencBytes(b: Uint8Array | string): this {
    const bytes = typeof b === 'string' ? Buffer.from(b, 'utf8') : b;
    return this.lenenc(bytes.length).bytes(bytes);
  }

  /** string<NUL>. A NUL inside would end it early and shift every later field, so it is refused. */
  cstring(s: string | Uint8Array): this {
    const bytes = typeof s === 'string' ? Buffer.from(s, 'utf8') : s;
    if (bytes.includes(0)) throw new ProtocolError('a NUL-terminated protocol string cannot contain a NUL byte');
    return this.bytes(bytes).u8(0);
  }

  /** string<EOF> or string[fixed]: the bytes as they are. */
  string(s: string): this {
    return this.bytes(Buffer.from(s, 'utf8'));
  }

  get length(): number {
    return this.pos;
  }

  finish(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}
