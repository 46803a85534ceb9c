import type { NodeRow } from '../repo/index.js';
import type { Problem } from './report.js';

/**
 * Compares the node hashes the tree rebuild produces with those the store keeps (which
 * proofs are served from): a stored hash that differs means the proofs would lie.
 */
export class NodeChecker {
  private readonly cursors = new Map<number, { pages: AsyncIterator<NodeRow[]>; buffer: NodeRow[]; pos: number; done: boolean }>();

  constructor(private readonly pagesOf: (level: number) => AsyncIterable<NodeRow[]>) {}

  async check(node: NodeRow, problems: Problem[]): Promise<void> {
    const cursor = this.cursorFor(node.level);
    for (;;) {
      if (cursor.pos >= cursor.buffer.length) {
        if (cursor.done) break;
        const next = await cursor.pages.next();
        if (next.done) {
          cursor.done = true;
          break;
        }
        cursor.buffer = next.value;
        cursor.pos = 0;
        continue;
      }
      const stored = cursor.buffer[cursor.pos]!;
      if (stored.index < node.index) {
        cursor.pos++;
        continue;
      }
      if (stored.index === node.index) {
        cursor.pos++;
        if (!stored.hash.equals(node.hash)) problems.push(mismatch(node));
        return;
      }
      break;
    }
    problems.push(missing(node));
  }

  private cursorFor(level: number) {
    let cursor = this.cursors.get(level);
    if (!cursor) {
      cursor = { pages: this.pagesOf(level)[Symbol.asyncIterator](), buffer: [], pos: 0, done: false };
      this.cursors.set(level, cursor);
    }
    return cursor;
  }
}

function span(node: NodeRow): [number, number] {
  const width = 2 ** node.level;
  return [node.index * width, (node.index + 1) * width];
}

function mismatch(node: NodeRow): Problem {
  const [start, end] = span(node);
  return {
    kind: 'node_mismatch',
    index: start,
    range: [start, end - 1],
    message: `the stored hash of entries ${start}..${end - 1} does not match those entries: one of them was changed, moved or re-hashed`,
  };
}

function missing(node: NodeRow): Problem {
  const [start, end] = span(node);
  return {
    kind: 'node_missing',
    index: start,
    message: `the store lacks the hash of entries ${start}..${end - 1} (level ${node.level}): proofs over them cannot be served`,
  };
}
