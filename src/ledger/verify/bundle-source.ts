import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalJson } from '../event.js';
import { BundleError } from '../errors.js';
import { readWitnessFolder } from '../witness.js';
import { packRows } from '../repo/packed.js';
import type { LogSource, SourcePayload } from './source.js';

export const BUNDLE_FILES = {
  entries: 'entries.jsonl',
  checkpoint: 'checkpoint',
  checkpoints: 'checkpoints',
  vkey: 'vkey',
  payloads: 'payloads.jsonl',
} as const;

const PAGE = 10_000;

/** Verifier keys (C2SP note format), one per line; blank lines ignored. */
export function readVerifierKeyFile(path: string): string[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '');
}

/** Raw lines (without the 0x0A) of a file, exactly as stored: no decoding, so no byte is altered. */
async function* rawLines(path: string, name: string): AsyncIterable<Buffer> {
  let rest = Buffer.alloc(0);
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    const data = rest.length > 0 ? Buffer.concat([rest, chunk]) : chunk;
    let start = 0;
    for (let nl = data.indexOf(0x0a, start); nl !== -1; nl = data.indexOf(0x0a, start)) {
      yield data.subarray(start, nl);
      start = nl + 1;
    }
    rest = Buffer.from(data.subarray(start));
  }
  if (rest.length > 0) throw new BundleError(`${name}: the last line does not end in a newline (the file is truncated)`);
}

async function* pages<T>(items: AsyncIterable<T>): AsyncIterable<T[]> {
  let page: T[] = [];
  for await (const item of items) {
    page.push(item);
    if (page.length === PAGE) {
      yield page;
      page = [];
    }
  }
  if (page.length > 0) yield page;
}

function requireFile(dir: string, name: string): string {
  const path = join(dir, name);
  if (!existsSync(path)) throw new BundleError(`the bundle ${dir} is missing ${name} (see docs/ledger.md, "Bundle")`);
  return path;
}

/** A bundle written by `gatehouse ledger export` (format: docs/ledger.md). */
export function bundleSource(dir: string): LogSource {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new BundleError(`${dir} is not a bundle directory`);
  const entriesPath = requireFile(dir, BUNDLE_FILES.entries);
  const checkpointPath = requireFile(dir, BUNDLE_FILES.checkpoint);
  const checkpointsDir = requireFile(dir, BUNDLE_FILES.checkpoints);
  const vkeyPath = requireFile(dir, BUNDLE_FILES.vkey);
  const payloadsPath = requireFile(dir, BUNDLE_FILES.payloads);

  return {
    description: `bundle ${dir}`,
    origin: async () => undefined,
    size: async () => {
      let count = 0;
      for await (const chunk of createReadStream(entriesPath) as AsyncIterable<Buffer>) {
        for (let i = chunk.indexOf(0x0a); i !== -1; i = chunk.indexOf(0x0a, i + 1)) count++;
      }
      return count;
    },
    entryPages: async function* () {
      let index = 0;
      async function* entries() {
        for await (const line of rawLines(entriesPath, BUNDLE_FILES.entries)) yield { index: index++, entry: line };
      }
      for await (const page of pages(entries())) yield packRows(page);
    },
    checkpoints: async () => {
      const filed = readWitnessFolder(checkpointsDir).map((cp) => ({
        where: `bundle ${BUNDLE_FILES.checkpoints}/${cp.size}`,
        note: cp.note,
        filedSize: cp.size,
      }));
      return [...filed, { where: `bundle ${BUNDLE_FILES.checkpoint}`, note: readFileSync(checkpointPath, 'utf8') }];
    },
    verifierKeys: async () => readVerifierKeyFile(vkeyPath),
    payloads: async function* () {
      let lineNumber = 0;
      async function* payloads(): AsyncIterable<SourcePayload> {
        for await (const line of rawLines(payloadsPath, BUNDLE_FILES.payloads)) {
          lineNumber++;
          yield parsePayloadLine(line.toString('utf8'), lineNumber);
        }
      }
      yield* pages(payloads());
    },
  };
}

function parsePayloadLine(line: string, lineNumber: number): SourcePayload {
  const where = `${BUNDLE_FILES.payloads} line ${lineNumber}`;
  let value: { index?: unknown; salt?: unknown; payload?: unknown };
  try {
    value = JSON.parse(line);
  } catch (error) {
    throw new BundleError(`${where}: not JSON (${(error as Error).message})`);
  }
  if (!Number.isSafeInteger(value.index) || (value.index as number) < 0) {
    throw new BundleError(`${where}: "index" must be a non-negative integer`);
  }
  const salt = typeof value.salt === 'string' ? Buffer.from(value.salt, 'base64') : undefined;
  if (!salt || salt.length !== 32 || salt.toString('base64') !== value.salt) {
    throw new BundleError(`${where}: "salt" must be the base64 of 32 bytes`);
  }
  if (value.payload === undefined) throw new BundleError(`${where}: "payload" is missing`);
  return { index: value.index as number, salt, canonical: canonicalJson(value.payload, where) };
}
