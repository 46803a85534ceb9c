import { Option, type Command } from 'commander';
import { CliError } from './action.js';

export const DEFAULT_URL = 'http://127.0.0.1:8080';
/** A request that takes longer than this is abandoned (the API answers admin calls in milliseconds). */
const TIMEOUT_MS = 30_000;

export interface ClientFlags {
  url?: string;
  token?: string;
}

/** --url / --token, on every command that talks to the admin API. */
export function withClientOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--url <url>', `the Gatehouse server (default: ${DEFAULT_URL}; /api/v1 is added)`).env('GATEHOUSE_URL'),
    )
    .addOption(
      new Option('--token <token>', 'API token (prefer the environment variable: argv is visible to other users)').env(
        'GATEHOUSE_TOKEN',
      ),
    );
}

/** A problem+json document (RFC 9457) as the API sends it. */
interface Problem {
  title?: string;
  status?: number;
  detail?: string;
  errors?: { path: string; message: string }[];
}

export interface RequestOptions {
  body?: unknown;
  query?: Record<string, string | undefined>;
  /** Return the body as text (e.g. CSV) rather than parsed JSON. */
  text?: boolean;
}

/**
 * A small client of the admin API. The token goes only into the Authorization header: it is
 * never printed, and no error message carries it (nor user:password parts of the URL).
 */
export class ApiClient {
  readonly base: string;
  /** The server as shown in messages: the URL without credentials, query or the /api/v1 suffix. */
  readonly shown: string;

  constructor(
    url: string,
    private readonly token: string,
  ) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new CliError(`--url (GATEHOUSE_URL) must be an http:// or https:// URL, e.g. ${DEFAULT_URL}`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new CliError(`--url (GATEHOUSE_URL) must be an http:// or https:// URL, e.g. ${DEFAULT_URL}`);
    }
    parsed.username = '';
    parsed.password = '';
    parsed.search = '';
    parsed.hash = '';
    const path = parsed.pathname.replace(/\/+$/, '').replace(/\/api\/v1$/, '');
    this.shown = `${parsed.origin}${path}`;
    this.base = `${this.shown}/api/v1`;
  }

  static from(flags: ClientFlags): ApiClient {
    const token = flags.token?.trim();
    if (!token) {
      throw new CliError(
        'no API token: set GATEHOUSE_TOKEN (or pass --token); `gatehouse init` prints the first admin\'s token, `gatehouse tokens create` makes more',
      );
    }
    return new ApiClient(flags.url?.trim() || DEFAULT_URL, token);
  }

  get<T>(path: string, options: RequestOptions = {}): Promise<T> {
    return this.request<T>('GET', path, options);
  }

  post<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('POST', path, { body });
  }

  patch<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PATCH', path, { body });
  }

  delete<T>(path: string): Promise<T> {
    return this.request<T>('DELETE', path);
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const url = new URL(`${this.base}${path}`);
    for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined) url.searchParams.set(k, v);
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}`, accept: 'application/json, text/csv' };
    // Fastify refuses a JSON content type with an empty body, so the header goes only with one.
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers,
        ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
        signal: AbortSignal.timeout(TIMEOUT_MS),
        redirect: 'error',
      });
    } catch (error) {
      throw this.unreachable(error);
    }
    const text = await response.text();
    if (!response.ok) throw this.failure(response, text);
    if (options.text) return text as T;
    if (response.status === 204 || text === '') return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new CliError(`the server at ${this.shown} did not answer with JSON (${method} ${path}): is it a Gatehouse server?`);
    }
  }

  private unreachable(error: unknown): CliError {
    const e = error as Error & { cause?: { code?: string; message?: string } };
    if (e.name === 'TimeoutError') {
      return new CliError(`the Gatehouse API at ${this.shown} did not answer within ${TIMEOUT_MS / 1000} s`);
    }
    const why = e.cause?.code ?? e.cause?.message ?? e.message;
    return new CliError(`cannot reach the Gatehouse API at ${this.shown}: is \`gatehouse serve\` running? (${why})`);
  }

  private failure(response: Response, text: string): CliError {
    let problem: Problem = {};
    try {
      problem = JSON.parse(text) as Problem;
    } catch {
      // Not problem+json (a proxy, another server): fall back to the status line.
    }
    const detail = clean(problem.detail ?? (response.statusText || 'no detail'));
    const status = response.status;
    if (status === 401) {
      return new CliError(
        `the token was refused (unknown, expired or revoked, or its user is not active); set GATEHOUSE_TOKEN (or --token) to a valid token`,
      );
    }
    if (status === 403) return new CliError(`forbidden: ${detail}`);
    if (status === 429) {
      const after = response.headers.get('retry-after');
      return new CliError(`${detail}${after ? ` (retry after ${clean(after)} s)` : ''}`);
    }
    if (status >= 500) return new CliError(`the Gatehouse API failed (${status} ${clean(problem.title ?? response.statusText)}): ${detail}`);
    if (problem.errors && problem.errors.length > 0) {
      const lines = problem.errors.map((f) => `  ${clean(f.path)}: ${clean(f.message)}`);
      return new CliError(`${clean(problem.title ?? 'invalid request').toLowerCase()}:\n${lines.join('\n')}`);
    }
    if (status === 404 || status === 409 || status === 400) return new CliError(detail);
    return new CliError(`${status} ${clean(problem.title ?? response.statusText)}: ${detail}`);
  }
}

/** Control characters from the server never reach the terminal as such. */
export function clean(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A path segment: names are plain identifiers, but an id or name typed by hand may not be. */
export const seg = (value: string) => encodeURIComponent(value);
