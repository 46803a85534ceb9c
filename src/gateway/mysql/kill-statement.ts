/**
 * `KILL QUERY <id>` as a client sends it to cancel a statement of its own from a second
 * connection (the mysql client on Ctrl-C; Connector/J's Statement.cancel). The id is the
 * connection id of the gateway's greeting, not a server thread, so the gateway answers it
 * itself (MySQL manual, "KILL Statement"). Only this exact form, optionally with `;`: anything
 * else that starts with KILL is a statement like any other (and needs admin).
 */
const KILL_QUERY = /^\s*KILL\s+QUERY\s+(\d{1,10})\s*;?\s*$/i;

/** The connection id a `KILL QUERY <id>` text names, or undefined for any other text. */
export function killQueryTarget(text: string): number | undefined {
  const match = KILL_QUERY.exec(text);
  if (!match) return undefined;
  const id = Number(match[1]);
  return id <= 0xffffffff ? id : undefined;
}
