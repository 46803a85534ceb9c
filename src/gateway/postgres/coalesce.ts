/**
 * Joins messages into one buffer for one socket write: a write is a system call, and a
 * statement's answer is often several small messages (RowDescription, DataRow,
 * CommandComplete, ReadyForQuery). Messages that lie back to back in the chunk they were
 * read from (the usual case) are joined without copying.
 */
export function coalesce(parts: readonly Buffer[]): Buffer {
  if (parts.length === 1) return parts[0]!;
  let total = 0;
  let contiguous = true;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    total += part.length;
    if (i > 0) {
      const previous = parts[i - 1]!;
      if (part.buffer !== previous.buffer || part.byteOffset !== previous.byteOffset + previous.length) contiguous = false;
    }
  }
  return contiguous ? Buffer.from(parts[0]!.buffer, parts[0]!.byteOffset, total) : Buffer.concat(parts, total);
}
