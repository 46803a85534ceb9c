import { BE, errorResponse, parseCommandComplete, parseErrorFields, parseReadyForQuery, rowsFromTag } from './codec/index.js';
import type { ErrorFields, Frame } from './codec/index.js';
import type { Outcome } from '../audit.js';

/** A recorded statement waiting for its outcome. */
export interface Recorded {
  entry: Promise<number>;
  started: number;
  tags: string[];
  error?: ErrorFields;
}

/**
 * What the upstream owes for one message forwarded to it (PostgreSQL docs, "Message Flow"
 * → "Simple Query" and "Extended Query"). `denial` marks an injected message that the
 * upstream is sure to refuse: its error is replaced with the denial the client must see.
 */
export interface Expected {
  kind: 'query' | 'parse' | 'bind' | 'describe' | 'close' | 'execute' | 'sync';
  denial?: ErrorFields;
  rec?: Recorded;
  /** Told whether the upstream accepted the message (ParseComplete, BindComplete) or not. */
  settle?: (accepted: boolean) => void;
}

export type TransactionStatus = 'I' | 'T' | 'E';

/**
 * Pairs each upstream message with the client message it answers, in order (the protocol
 * answers in order), to record outcomes and to put denials where the server would have put
 * its own error. Why denials go through the upstream at all: an injected message that fails
 * makes the upstream itself abort the transaction or skip to the next Sync, so the client
 * sees exactly the semantics of a statement that failed there.
 */
export class ResponseTracker {
  private readonly queue: Expected[] = [];
  private head = 0;
  transactionStatus: TransactionStatus = 'I';

  constructor(private readonly onOutcome: (rec: Recorded, outcome: Outcome) => void) {}

  expect(expected: Expected): void {
    this.queue.push(expected);
  }

  /** Messages forwarded but not yet fully answered. */
  get outstanding(): number {
    return this.queue.length - this.head;
  }

  /** What to send the client for one upstream message: its own bytes or a substitute. */
  onMessage(frame: Frame): Buffer {
    switch (frame.type) {
      case BE.CommandComplete:
      case BE.EmptyQueryResponse:
        return this.completed(frame);
      case BE.ErrorResponse:
        return this.failed(frame);
      case BE.ReadyForQuery:
        this.ready(parseReadyForQuery(frame.body));
        return frame.raw;
      case BE.ParseComplete:
      case BE.BindComplete:
      case BE.CloseComplete:
      case BE.NoData:
      case BE.RowDescription:
        this.answered(frame.type);
        return frame.raw;
      case BE.PortalSuspended:
        // The portal ran up to its row limit; a later Execute continues the same statement.
        if (this.peek()?.kind === 'execute') this.shift();
        return frame.raw;
      default:
        return frame.raw; // DataRow, notices, notifications, ParameterStatus, COPY…
    }
  }

  /**
   * The upstream connection closed (the server ended it, or the network failed): no answer
   * will come. Every statement still waiting for one ends as an error: the server's own when
   * it sent one before closing (57P01 when an administrator terminated the backend), else
   * 08006 connection_failure with `reason`. (Whether later statements of a pipelined batch ran
   * cannot be known; they are errors too.)
   */
  upstreamGone(reason: string): void {
    for (let head = this.shift(); head; head = this.shift()) {
      head.settle?.(false);
      if (!head.rec) continue;
      head.rec.error ??= { severity: 'ERROR', code: '08006', message: reason };
      this.finish(head.rec, 'error');
    }
  }

  private peek(): Expected | undefined {
    return this.queue[this.head];
  }

  private shift(): Expected | undefined {
    const item = this.queue[this.head];
    if (item === undefined) return undefined;
    this.queue[this.head++] = undefined as unknown as Expected;
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    return item;
  }

  private answered(type: number): void {
    const head = this.peek();
    if (!head) return;
    if (
      (type === BE.ParseComplete && head.kind === 'parse') ||
      (type === BE.BindComplete && head.kind === 'bind') ||
      (type === BE.CloseComplete && head.kind === 'close') ||
      ((type === BE.NoData || type === BE.RowDescription) && head.kind === 'describe')
    ) {
      this.shift();
      head.settle?.(true);
    }
  }

  private completed(frame: Frame): Buffer {
    const head = this.peek();
    if (head?.rec) {
      head.rec.tags.push(frame.type === BE.CommandComplete ? parseCommandComplete(frame.body) : '');
    }
    if (head?.kind === 'execute') {
      this.shift();
      if (head.rec) this.finish(head.rec, 'ok');
    }
    return frame.raw;
  }

  private failed(frame: Frame): Buffer {
    const head = this.peek();
    const fields = parseErrorFields(frame.body);
    const out = head?.denial ? errorResponse(head.denial) : frame.raw;
    if (!head || head.kind === 'sync') return out; // e.g. a deferred constraint failing at the implicit commit
    if (head.kind === 'query') {
      if (head.rec && !head.rec.error) head.rec.error = fields;
      return out;
    }
    // Extended protocol: the failing message is answered; the upstream now skips everything up
    // to the next Sync, so statements queued behind it never run.
    this.shift();
    head.settle?.(false);
    if (head.rec) {
      head.rec.error = fields;
      this.finish(head.rec, 'error');
    }
    for (let next = this.peek(); next && next.kind !== 'sync'; next = this.peek()) {
      this.shift();
      next.settle?.(false);
      if (next.rec) this.finish(next.rec, 'not_run');
    }
    return out;
  }

  private ready(status: TransactionStatus): void {
    this.transactionStatus = status;
    // ReadyForQuery ends a simple Query, or answers a Sync.
    const head = this.peek();
    if (head && (head.kind === 'query' || head.kind === 'sync')) {
      this.shift();
      if (head.rec) this.finish(head.rec, head.rec.error ? 'error' : 'ok');
    }
  }

  private finish(rec: Recorded, status: Outcome['status']): void {
    let rows: number | null = null;
    for (const tag of rec.tags) {
      const n = rowsFromTag(tag);
      if (n !== null) rows = (rows ?? 0) + n;
    }
    this.onOutcome(rec, {
      status,
      tags: rec.tags,
      rows,
      durationMs: performance.now() - rec.started,
      ...(rec.error ? { sqlstate: rec.error.code, error: rec.error.message } : {}),
    });
  }
}
