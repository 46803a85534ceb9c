import { InvalidArgumentError, Option, type Command } from 'commander';
import { CliError } from '../action.js';
import { withClientOptions, type ClientFlags } from '../client.js';

export interface OutputFlags extends ClientFlags {
  json?: boolean;
}

/** --json (when the command prints a record or a list), then --url and --token. */
export function withApi(command: Command, options: { json?: boolean } = { json: true }): Command {
  if (options.json) command.addOption(new Option('--json', 'print the JSON the API returned instead of text'));
  return withClientOptions(command);
}

/** Appends an "Example:" block to a command's --help. */
export function example(command: Command, ...lines: string[]): Command {
  return command.addHelpText('after', `\nExample${lines.length > 1 ? 's' : ''}:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`);
}

/** `a,b, c` → ['a', 'b', 'c'] (for --privileges, --objects, --classes, --flags). */
export function commaList(value: string): string[] {
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (items.length === 0) throw new InvalidArgumentError('expected a comma-separated list, e.g. read,write');
  return items;
}

/** Repeatable --tag key=value, gathered into one map. */
export function tag(value: string, previous: Record<string, string> | undefined): Record<string, string> {
  const at = value.indexOf('=');
  if (at <= 0) throw new InvalidArgumentError('expected key=value, e.g. env=prod');
  const key = value.slice(0, at).trim();
  const tags = { ...(previous ?? {}) };
  if (key in tags) throw new InvalidArgumentError(`the tag "${key}" is given twice`);
  tags[key] = value.slice(at + 1).trim();
  return tags;
}

export function tagOption(description = 'a tag key=value (repeatable)'): Option {
  return new Option('--tag <key=value>', description).argParser(tag);
}

/** A port number for --port; the server checks the range too. */
export function port(value: string): number {
  if (!/^[0-9]{1,5}$/.test(value) || Number(value) < 1 || Number(value) > 65535) {
    throw new InvalidArgumentError('expected a port number, 1–65535');
  }
  return Number(value);
}

/** Grants and deny rules apply to one connection by name or to every connection with these tags. */
export function selector(flags: { connection?: string; tag?: Record<string, string> }): { connection: string } | { tags: Record<string, string> } {
  if (flags.connection && flags.tag) throw new CliError('give either --connection or --tag, not both');
  if (flags.connection) return { connection: flags.connection };
  if (flags.tag) return { tags: flags.tag };
  throw new CliError('say where it applies: --connection NAME, or --tag key=value (repeatable) for every connection with those tags');
}

/** Drops the keys whose value is undefined, so a PATCH changes only what was asked for. */
export function defined<T extends Record<string, unknown>>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export function nothingToChange(body: Record<string, unknown>, hint: string): void {
  if (Object.keys(body).length === 0) throw new CliError(`nothing to change: give at least one of ${hint}`);
}

/**
 * A secret read from stdin (never from argv, where other users and shell history see it).
 * From a pipe: all of stdin, less one trailing line break. From a terminal: one line, not echoed.
 */
export async function readSecret(what: string): Promise<string> {
  const stdin = process.stdin;
  const secret = stdin.isTTY ? await promptHidden(`${what}: `) : await readStdin();
  if (secret === '') throw new CliError(`no ${what} on stdin (e.g. printf '%s' "$PASSWORD" | gatehouse … --password-stdin)`);
  return secret;
}

/** All of stdin as text, less one trailing line break. */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

function promptHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  stdin.resume();
  return new Promise((resolve, reject) => {
    let typed = '';
    const done = (error?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(typed);
    };
    const onData = (data: string) => {
      for (const c of data) {
        if (c === '\r' || c === '\n' || c === '\u0004') return done();
        if (c === '\u0003') return done(new CliError('interrupted'));
        if (c === '\u007f' || c === '\b') typed = typed.slice(0, -1);
        else typed += c;
      }
    };
    stdin.on('data', onData);
  });
}
