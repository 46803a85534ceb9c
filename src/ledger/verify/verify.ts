import { EMPTY_ROOT, Frontier } from '../merkle/index.js';
import { NoteError, openCheckpoint, parseVerifierKey, type Verifier } from '../note/index.js';
import type { NodeRow } from '../repo/index.js';
import { isStoredLevel } from '../tree-store.js';
import { payloadCommitment } from '../event.js';
import type { WitnessedCheckpoint } from '../witness.js';
import { NodeChecker } from './node-checker.js';
import { BLOCK_LEVEL, ENTRY_CHANGED, NOT_JSON, type EntryDetails, type ScannedPage } from '../workers/leaf-scan.js';
import { scannedPages } from './page-scanner.js';
import { sortProblems, type Problem, type VerifyReport } from './report.js';
import type { LogSource, SourceCheckpoint } from './source.js';

const BLOCK = 2 ** BLOCK_LEVEL;

export interface VerifyOptions {
  /** Checkpoints kept outside the store (witness folders): the log must be consistent with each. */
  witnessed?: WitnessedCheckpoint[];
  /** Verifier keys the auditor trusts; by default the source's own. */
  verifierKeys?: string[];
  onProgress?: (done: number, total: number) => void;
  /** Worker threads that hash entries; 0 hashes on this thread. Default: 0 for small logs, else one per spare core. */
  workers?: number;
}

/** A size at which the rebuilt tree's root must equal a signed root. */
interface Target {
  size: number;
  root: Buffer;
  label: string;
  witness: boolean;
}

/**
 * Verifies a log from its entry bytes up: every leaf is recomputed, the tree rebuilt, each
 * stored node hash compared, each checkpoint's signature and root checked (and each witness
 * checkpoint's, which catches a rewrite of the whole store), and every payload commitment.
 * It never stops at the first problem, but reports them in entry order.
 */
export async function verifyLog(source: LogSource, options: VerifyOptions = {}): Promise<VerifyReport> {
  const problems: Problem[] = [];
  const verifiers = parseKeys(options.verifierKeys ?? (await source.verifierKeys()), problems);
  let origin = await source.origin();

  const targets: Target[] = [];
  const open = (cp: SourceCheckpoint, witness: boolean) => {
    try {
      const { checkpoint } = openCheckpoint(cp.note, verifiers);
      origin ??= checkpoint.origin;
      if (checkpoint.origin !== origin) {
        throw new Error(`it is for the log "${checkpoint.origin}", not "${origin}"`);
      }
      if (cp.filedSize !== undefined && cp.filedSize !== checkpoint.size) {
        throw new Error(`it is filed under size ${cp.filedSize} but signs size ${checkpoint.size}`);
      }
      targets.push({ size: checkpoint.size, root: checkpoint.rootHash, label: cp.where, witness });
    } catch (error) {
      const why = error instanceof NoteError && error.code === 'no_verified_signature'
        ? 'no signature by a known ledger key verifies'
        : (error as Error).message;
      problems.push({ kind: 'checkpoint_invalid', message: `${cp.where} is not a valid checkpoint of this log: ${why}` });
    }
  };
  const stored = await source.checkpoints();
  for (const cp of stored) open(cp, false);
  const witnessed = options.witnessed ?? [];
  for (const w of witnessed) open({ where: `witness checkpoint ${w.file}`, note: w.note, filedSize: w.size }, true);
  targets.sort((a, b) => a.size - b.size);

  const total = await source.size();
  const frontier = Frontier.empty();
  const nodeChecker = source.storedNodes ? new NodeChecker((level) => source.storedNodes!(level)) : undefined;
  const completed: NodeRow[] = [];
  const onNode = (node: NodeRow) => {
    if (isStoredLevel(node.level)) completed.push(node);
  };
  const commitments = new Map<number, string>();
  const redacted = new Set<number>();
  let next = 0;
  let brokenAt: number | undefined;
  // The largest size below the current one at which some signed root matched: a mismatch at
  // size s means an entry in [lastGood, s) differs from what was signed.
  let lastGood = 0;
  let goodHere = false;
  let t = 0;

  const checkTargets = () => {
    while (t < targets.length && targets[t]!.size === frontier.size) {
      const target = targets[t++]!;
      const root = frontier.size === 0 ? EMPTY_ROOT : frontier.root();
      if (root.equals(target.root)) {
        goodHere = true;
      } else {
        problems.push({
          kind: target.witness ? 'log_forked' : 'checkpoint_mismatch',
          index: lastGood,
          range: [lastGood, target.size - 1],
          message: `${target.label} signed a different tree of size ${target.size}: ${
            target.witness ? 'the log was rewritten' : 'the log or the checkpoint was changed'
          } (an entry in ${lastGood}..${target.size - 1} differs from what was signed)`,
        });
      }
    }
  };
  checkTargets();

  for await (const scanned of scannedPages(source.entryPages(), total, options.workers)) {
    const { indices, flags, hashes } = scanned;
    let blockEnd = 0;
    for (let i = 0; i < scanned.count; i++) {
      const index = indices[i]!;
      if (index !== next) {
        if (brokenAt === undefined) {
          problems.push({
            kind: 'entry_missing',
            index: next,
            message: index > next
              ? `entry ${next} is missing (the next one held is ${index})`
              : `entry ${index} appears out of order after entry ${next - 1}`,
          });
          brokenAt = next;
        }
        next = Math.max(next, index + 1);
        continue;
      }
      next++;
      if (flags[i] !== 0) noteEntry(index, flags[i]!, scanned.details.get(i), commitments, redacted, problems);
      if (brokenAt !== undefined || i < blockEnd) continue; // (rows of a block appended whole are in the tree)
      if (goodHere) lastGood = frontier.size;
      goodHere = false;
      const block = wholeBlock(scanned, i, targets[t]?.size ?? Infinity);
      if (block) {
        onNode({ level: BLOCK_LEVEL, index: frontier.size / BLOCK, hash: block });
        frontier.appendSubtree(block, BLOCK_LEVEL, onNode);
        blockEnd = i + BLOCK;
      } else {
        frontier.append(Buffer.from(hashes.buffer, hashes.byteOffset + i * 32, 32), onNode);
      }
      if (completed.length > 0 && nodeChecker) {
        for (const node of completed) await nodeChecker.check(node, problems);
      }
      completed.length = 0;
      checkTargets();
    }
    options.onProgress?.(next, Math.max(total, next));
  }

  for (; t < targets.length; t++) {
    const target = targets[t]!;
    if (brokenAt !== undefined) continue; // the gap is the problem already named
    problems.push({
      kind: 'log_truncated',
      index: next,
      message: `${target.label} signed ${target.size} entries but the log holds ${next}: entries ${next}..${target.size - 1} are gone (log truncated)`,
    });
  }

  const held = await checkPayloads(source, commitments, problems);
  for (const index of commitments.keys()) {
    if (!held.has(index) && !redacted.has(index)) {
      problems.push({
        kind: 'payload_missing',
        index,
        message: `entry ${index}: its payload is gone but no redaction of it is recorded in the log`,
      });
    }
  }

  const sorted = sortProblems(problems);
  return {
    ok: sorted.length === 0,
    source: source.description,
    size: next,
    root: (frontier.size === 0 ? EMPTY_ROOT : frontier.root()).toString('base64'),
    checkpoints: stored.length,
    witnessCheckpoints: witnessed.length,
    payloads: { held: held.size, redacted: [...commitments.keys()].filter((i) => !held.has(i) && redacted.has(i)).length },
    problems: sorted,
  };
}

/**
 * The hash of the block of BLOCK entries starting at row i, when the tree may take it whole:
 * the worker hashed exactly that block (its entries follow each other with no gap), and no
 * signed root falls strictly inside it (each of those needs the tree at its own size).
 */
function wholeBlock(scanned: ScannedPage, i: number, nextTarget: number): Buffer | undefined {
  const j = (i - scanned.firstBlock) / BLOCK;
  if (j < 0 || !Number.isInteger(j) || (j + 1) * 32 > scanned.blocks.length) return undefined;
  if (nextTarget < scanned.indices[i]! + BLOCK) return undefined;
  return Buffer.from(scanned.blocks.buffer, scanned.blocks.byteOffset + j * 32, 32);
}

function parseKeys(vkeys: string[], problems: Problem[]): Verifier[] {
  return vkeys.flatMap((vkey) => {
    try {
      return [parseVerifierKey(vkey)];
    } catch (error) {
      problems.push({ kind: 'key_invalid', message: `verifier key "${vkey}" is invalid: ${(error as Error).message}` });
      return [];
    }
  });
}

/** Reports what the scan found wrong with an entry, and records a commitment or redaction. */
function noteEntry(
  index: number,
  flags: number,
  details: EntryDetails | undefined,
  commitments: Map<number, string>,
  redacted: Set<number>,
  problems: Problem[],
): void {
  if (flags & ENTRY_CHANGED) {
    problems.push({
      kind: 'entry_changed',
      index,
      message: `entry ${index}: its bytes do not match its recorded leaf hash (the entry was changed)`,
    });
  }
  if (flags & NOT_JSON) problems.push({ kind: 'entry_malformed', index, message: `entry ${index} is not JSON` });
  if (details?.commitment !== undefined) commitments.set(index, details.commitment);
  if (details?.redacts !== undefined) redacted.add(details.redacts);
}

async function checkPayloads(
  source: LogSource,
  commitments: Map<number, string>,
  problems: Problem[],
): Promise<Set<number>> {
  const held = new Set<number>();
  for await (const page of source.payloads()) {
    for (const p of page) {
      const expected = commitments.get(p.index);
      if (expected === undefined) {
        problems.push({
          kind: 'payload_orphan',
          index: p.index,
          message: `a payload is kept for entry ${p.index}, which commits to none`,
        });
        continue;
      }
      if (payloadCommitment(p.salt, p.canonical) !== expected) {
        problems.push({
          kind: 'payload_mismatch',
          index: p.index,
          message: `entry ${p.index}: the kept payload does not match the entry's payload_commitment (the payload was changed)`,
        });
      }
      held.add(p.index);
    }
  }
  return held;
}
