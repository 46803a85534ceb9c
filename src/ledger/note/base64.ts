/**
 * Strict standard base64 (RFC 4648 §4), the encoding both C2SP specs use.
 *
 * Buffer.from(s, 'base64') is deliberately lenient: it skips characters outside the
 * alphabet, accepts the URL-safe alphabet, missing padding and non-zero pad bits. For a
 * tamper-evident format that leniency means several texts decode to the same bytes, so a
 * signed note could be altered in its signature lines without detection. We therefore
 * accept exactly one text per byte string: the one Buffer itself would produce.
 */

export type Base64Result = { ok: true; bytes: Buffer } | { ok: false; reason: string };

const ALPHABET = /^[A-Za-z0-9+/]*={0,2}$/;

export function decodeBase64(text: string): Base64Result {
  if (!ALPHABET.test(text)) {
    return { ok: false, reason: 'contains characters outside the standard base64 alphabet (A-Z a-z 0-9 + / and = padding)' };
  }
  if (text.length % 4 !== 0) {
    return { ok: false, reason: `is ${text.length} characters long, not a multiple of 4 (missing or extra padding?)` };
  }
  const bytes = Buffer.from(text, 'base64');
  // Re-encoding catches the remaining ambiguity: non-zero bits in the last character
  // before the padding (e.g. "AB==" and "AA==" both decode to one 0x00 byte).
  if (bytes.toString('base64') !== text) {
    return { ok: false, reason: 'is not canonical base64 (the unused bits before the padding are not zero)' };
  }
  return { ok: true, bytes };
}

export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}
