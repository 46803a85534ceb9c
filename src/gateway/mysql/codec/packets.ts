import { ER_NET_PACKET_TOO_LARGE, ER_NET_PACKETS_OUT_OF_ORDER, ProtocolError } from './errors.js';
import { MAX_PACKET_PAYLOAD } from './constants.js';

/**
 * "MySQL Packets": every packet is int<3> payload length, int<1> sequence id, then the
 * payload. A payload of 2^24-1 bytes or more is sent as several packets: each full one
 * (length 0xFFFFFF) says "more follows", and the last is shorter — an empty one when the
 * length is an exact multiple of 0xFFFFFF ("Sending More Than 16Mb"). Together they form one
 * logical packet; their sequence ids count up by one (mod 256).
 */

/** One logical packet as it arrived. */
export interface Packet {
  /** The sequence id of its first physical packet. */
  sequenceId: number;
  /** The sequence id of its last physical packet: the next packet in the exchange has this + 1. */
  lastSequenceId: number;
  /** The payload, joined across physical packets. */
  payload: Buffer;
  /** The exact bytes on the wire (every physical packet, headers included), for forwarding unchanged. */
  raw: Buffer;
}

/** The gateway's ceiling for one logical packet (MySQL's max_allowed_packet is 64 MiB by default since 8.0). */
export const DEFAULT_MAX_PACKET_BYTES = 64 * 1024 * 1024;

const HEADER = 4;
const EMPTY = Buffer.alloc(0);

/**
 * Splits a byte stream into logical packets. Like the PostgreSQL FrameReader it keeps the
 * chunks as they came and copies only when a packet spans chunks (or is made of several
 * physical packets); a packet inside one chunk is returned as views of it. A header that
 * breaks the limit or the sequence throws as soon as it is complete, and the reader keeps
 * throwing: the stream cannot be resynchronised.
 */
export class PacketReader {
  private readonly maxPacketBytes: number;
  private chunks: Buffer[] = [];
  private head = 0;
  private offset = 0;
  private total = 0;
  private readonly scratch = Buffer.alloc(HEADER);
  private failure: ProtocolError | null = null;
  // The logical packet being scanned: the headers read so far stay read across calls, so a
  // 64 MiB packet trickling in is not rescanned from its start on every chunk.
  private scanEnd = 0; // bytes (from the read position) up to the end of the last part whose header was read
  private scanPayload = 0;
  private scanParts = 0;
  private scanFirstSeq = 0;
  private scanLastSeq = 0;
  private scanComplete = false; // the last part's header (length < 0xFFFFFF) has been read

  constructor(options: { maxPacketBytes?: number } = {}) {
    this.maxPacketBytes = options.maxPacketBytes ?? DEFAULT_MAX_PACKET_BYTES;
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

  /** The next logical packet, or null while it is incomplete. */
  next(): Packet | null {
    if (this.failure) throw this.failure;
    try {
      return this.scan();
    } catch (err) {
      if (err instanceof ProtocolError) this.failure = err;
      throw err;
    }
  }

  private scan(): Packet | null {
    while (!this.scanComplete) {
      if (this.total < this.scanEnd + HEADER) return null;
      this.peekInto(this.scratch, this.scanEnd);
      const length = this.scratch.readUIntLE(0, 3);
      const seq = this.scratch[3]!;
      if (this.scanParts === 0) this.scanFirstSeq = seq;
      else if (seq !== ((this.scanLastSeq + 1) & 0xff)) {
        throw new ProtocolError(`packets out of order: sequence id ${seq} follows ${this.scanLastSeq} within one packet`, ER_NET_PACKETS_OUT_OF_ORDER, '08S01');
      }
      this.scanLastSeq = seq;
      this.scanParts++;
      this.scanPayload += length;
      if (this.scanPayload > this.maxPacketBytes) {
        throw new ProtocolError(`a packet of more than ${this.maxPacketBytes} bytes is over the limit`, ER_NET_PACKET_TOO_LARGE, '08S01');
      }
      this.scanEnd += HEADER + length;
      if (length < MAX_PACKET_PAYLOAD) this.scanComplete = true;
    }
    const size = this.scanEnd;
    if (this.total < size) return null;
    const first = this.chunks[this.head]!;
    const raw = first.length - this.offset >= size ? this.sliceFirst(size) : this.copyOut(size);
    const payload = this.scanParts === 1 ? raw.subarray(HEADER) : joinParts(raw, this.scanPayload);
    const packet: Packet = { sequenceId: this.scanFirstSeq, lastSequenceId: this.scanLastSeq, payload, raw };
    this.scanEnd = 0;
    this.scanPayload = 0;
    this.scanParts = 0;
    this.scanComplete = false;
    return packet;
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
    this.scanEnd = 0;
    this.scanPayload = 0;
    this.scanParts = 0;
    this.scanComplete = false;
    return out;
  }

  /** Copies target.length buffered bytes starting `skip` bytes after the read position, without consuming. */
  private peekInto(target: Buffer, skip: number): void {
    let index = this.head;
    let from = this.offset + skip;
    while (from >= this.chunks[index]!.length) {
      from -= this.chunks[index]!.length;
      index++;
    }
    let filled = 0;
    while (filled < target.length) {
      const chunk = this.chunks[index++]!;
      const take = Math.min(chunk.length - from, target.length - filled);
      chunk.copy(target, filled, from, from + take);
      filled += take;
      from = 0;
    }
  }

  private sliceFirst(n: number): Buffer {
    const first = this.chunks[this.head]!;
    const out = first.subarray(this.offset, this.offset + n);
    this.offset += n;
    this.total -= n;
    if (this.offset === first.length) this.dropHead();
    return out;
  }

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
    this.chunks[this.head] = EMPTY;
    this.head++;
    this.offset = 0;
    if (this.head === this.chunks.length) {
      this.chunks.length = 0;
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.chunks.length) {
      this.chunks = this.chunks.slice(this.head);
      this.head = 0;
    }
  }
}

/** The payloads of consecutive physical packets (already checked by the scan), joined. */
function joinParts(raw: Buffer, payloadLength: number): Buffer {
  const out = Buffer.allocUnsafe(payloadLength);
  let at = 0;
  let filled = 0;
  while (at < raw.length) {
    const length = raw.readUIntLE(at, 3);
    raw.copy(out, filled, at + HEADER, at + HEADER + length);
    filled += length;
    at += HEADER + length;
  }
  return out;
}

/**
 * The bytes of one logical packet: split into physical packets of 0xFFFFFF bytes with
 * sequence ids counting up from `sequenceId`, ending with a shorter (possibly empty) one.
 */
export function encodePacket(sequenceId: number, payload: Uint8Array): Buffer {
  const parts = Math.floor(payload.length / MAX_PACKET_PAYLOAD) + 1;
  const out = Buffer.allocUnsafe(payload.length + parts * HEADER);
  let seq = sequenceId & 0xff;
  let from = 0;
  let at = 0;
  for (let i = 0; i < parts; i++) {
    const length = Math.min(MAX_PACKET_PAYLOAD, payload.length - from);
    out.writeUIntLE(length, at, 3);
    out[at + 3] = seq;
    out.set(payload.subarray(from, from + length), at + HEADER);
    at += HEADER + length;
    from += length;
    seq = (seq + 1) & 0xff;
  }
  return out;
}

/** The sequence id of the packet that follows a logical packet of this length sent with `sequenceId`. */
export function nextSequenceId(sequenceId: number, payloadLength: number): number {
  return (sequenceId + Math.floor(payloadLength / MAX_PACKET_PAYLOAD) + 1) & 0xff;
}
