import { InvalidArgumentError } from 'commander';

export interface Listen {
  host: string;
  port: number;
}

/** HOST:PORT, [IPv6]:PORT or :PORT (all interfaces would be a choice to make explicitly, so HOST is required). */
export function parseListen(value: string): Listen {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(value);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new InvalidArgumentError('expected HOST:PORT, e.g. 127.0.0.1:8080 or [::1]:8080');
  return { host: (m[1] ?? m[2])!, port };
}
