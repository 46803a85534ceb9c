import { PayloadReader, PayloadWriter } from './bytes.js';
import { CLIENT_CONNECT_ATTRS, CLIENT_PLUGIN_AUTH, CLIENT_QUERY_ATTRIBUTES, CLIENT_SECURE_CONNECTION, hasCaps } from './capabilities.js';
import { COM } from './constants.js';
import { readParams, writeParams } from './params.js';
import type { BoundParam, ParamInput } from './params.js';

/**
 * The commands of the command phase ("Command Phase": "Text Protocol", "Utility Commands",
 * "Prepared Statements"), client → server. COM_STMT_EXECUTE needs its statement's parameter
 * count to be decoded, so decodeCommand leaves its parameters to decodeStmtExecute
 * (stmt-execute.ts).
 */

export type ClientCommand =
  | { kind: 'quit' }
  | { kind: 'init-db'; database: string }
  | { kind: 'query'; query: string; attributes?: BoundParam[] }
  | { kind: 'field-list'; table: string; wildcard: string }
  | { kind: 'statistics' }
  | { kind: 'ping' }
  | { kind: 'process-kill'; connectionId: number }
  | { kind: 'change-user'; username: string; authResponse: Buffer; database: string; characterSet?: number; authPluginName?: string; attributes?: Map<string, string> }
  | { kind: 'stmt-prepare'; query: string }
  | { kind: 'stmt-execute'; statementId: number; flags: number; iterationCount: number }
  | { kind: 'stmt-send-long-data'; statementId: number; paramId: number; data: Buffer }
  | { kind: 'stmt-close'; statementId: number }
  | { kind: 'stmt-reset'; statementId: number }
  | { kind: 'stmt-fetch'; statementId: number; rows: number }
  | { kind: 'set-option'; option: number }
  | { kind: 'reset-connection' }
  | { kind: 'unknown'; code: number };

/** Decodes a command packet's payload (the first packet of a command, sequence id 0). */
export function decodeCommand(payload: Buffer, caps: number): ClientCommand {
  if (payload.length === 0) return new PayloadReader(payload, 'command').fail('an empty packet');
  const code = payload[0]!;
  const r = new PayloadReader(payload, commandName(code), 1);
  switch (code) {
    case COM.QUIT:
      return { kind: 'quit' };
    case COM.INIT_DB:
      return { kind: 'init-db', database: r.rest().toString('utf8') };
    case COM.QUERY: {
      // "COM_QUERY": with CLIENT_QUERY_ATTRIBUTES, parameter_count and parameter_set_count
      // (always 1), then the attributes as bound parameters, then the text.
      if (!hasCaps(caps, CLIENT_QUERY_ATTRIBUTES)) return { kind: 'query', query: r.rest().toString('utf8') };
      const count = r.lenenc();
      const sets = r.lenenc();
      if (sets !== 1) r.fail(`parameter_set_count is ${sets}, not 1`);
      const attributes = count > 0 ? readParams(r, count, { named: true }).params : [];
      return { kind: 'query', query: r.rest().toString('utf8'), attributes };
    }
    case COM.FIELD_LIST:
      return { kind: 'field-list', table: r.cstring(), wildcard: r.rest().toString('utf8') };
    case COM.STATISTICS:
      return { kind: 'statistics' };
    case COM.PING:
      return { kind: 'ping' };
    case COM.PROCESS_KILL:
      return end(r, { kind: 'process-kill', connectionId: r.u32() });
    case COM.CHANGE_USER:
      return decodeChangeUser(r, caps);
    case COM.STMT_PREPARE:
      return { kind: 'stmt-prepare', query: r.rest().toString('utf8') };
    case COM.STMT_EXECUTE: {
      const cmd: ClientCommand = { kind: 'stmt-execute', statementId: r.u32(), flags: r.u8(), iterationCount: r.u32() };
      return cmd; // the parameters follow; decodeStmtExecute reads them
    }
    case COM.STMT_SEND_LONG_DATA:
      return { kind: 'stmt-send-long-data', statementId: r.u32(), paramId: r.u16(), data: r.rest() };
    case COM.STMT_CLOSE:
      return end(r, { kind: 'stmt-close', statementId: r.u32() });
    case COM.STMT_RESET:
      return end(r, { kind: 'stmt-reset', statementId: r.u32() });
    case COM.STMT_FETCH:
      return end(r, { kind: 'stmt-fetch', statementId: r.u32(), rows: r.u32() });
    case COM.SET_OPTION:
      return end(r, { kind: 'set-option', option: r.u16() });
    case COM.RESET_CONNECTION:
      return { kind: 'reset-connection' };
    default:
      return { kind: 'unknown', code };
  }
}

function end<T>(r: PayloadReader, value: T): T {
  r.end();
  return value;
}

/** "COM_CHANGE_USER". The optional tail (character set, plugin, attributes) may be left out by old clients. */
function decodeChangeUser(r: PayloadReader, caps: number): ClientCommand {
  const username = r.cstring();
  const authResponse = Buffer.from(hasCaps(caps, CLIENT_SECURE_CONNECTION) ? r.bytes(r.u8()) : r.cstringBytes());
  const database = r.cstring();
  const cmd: Extract<ClientCommand, { kind: 'change-user' }> = { kind: 'change-user', username, authResponse, database };
  if (r.remaining > 0) cmd.characterSet = r.u16();
  if (hasCaps(caps, CLIENT_PLUGIN_AUTH) && r.remaining > 0) cmd.authPluginName = r.cstring();
  if (hasCaps(caps, CLIENT_CONNECT_ATTRS) && r.remaining > 0) {
    const attrs = new PayloadReader(r.lenencBytes(), 'connection attributes');
    cmd.attributes = new Map();
    while (attrs.remaining > 0) {
      const key = attrs.lenencString();
      cmd.attributes.set(key, attrs.lenencString());
    }
  }
  r.end();
  return cmd;
}

/** A command to encode: COM_STMT_EXECUTE has its own encoder (encodeStmtExecute); query attributes are given as values. */
export type EncodableCommand = Exclude<ClientCommand, { kind: 'stmt-execute' } | { kind: 'query' }> | { kind: 'query'; query: string; attributes?: ParamInput[] };

export function encodeCommand(cmd: EncodableCommand, caps: number): Buffer {
  const w = new PayloadWriter(16);
  switch (cmd.kind) {
    case 'quit':
      return w.u8(COM.QUIT).finish();
    case 'init-db':
      return w.u8(COM.INIT_DB).string(cmd.database).finish();
    case 'query':
      w.u8(COM.QUERY);
      if (hasCaps(caps, CLIENT_QUERY_ATTRIBUTES)) {
        const attrs = cmd.attributes ?? [];
        w.lenenc(attrs.length).lenenc(1);
        if (attrs.length > 0) writeParams(w, attrs, { named: true });
      }
      return w.string(cmd.query).finish();
    case 'field-list':
      return w.u8(COM.FIELD_LIST).cstring(cmd.table).string(cmd.wildcard).finish();
    case 'statistics':
      return w.u8(COM.STATISTICS).finish();
    case 'ping':
      return w.u8(COM.PING).finish();
    case 'process-kill':
      return w.u8(COM.PROCESS_KILL).u32(cmd.connectionId).finish();
    case 'change-user': {
      w.u8(COM.CHANGE_USER).cstring(cmd.username);
      if (hasCaps(caps, CLIENT_SECURE_CONNECTION)) w.u8(cmd.authResponse.length).bytes(cmd.authResponse);
      else w.cstring(cmd.authResponse);
      w.cstring(cmd.database).u16(cmd.characterSet ?? 0);
      if (hasCaps(caps, CLIENT_PLUGIN_AUTH)) w.cstring(cmd.authPluginName ?? '');
      if (hasCaps(caps, CLIENT_CONNECT_ATTRS)) {
        const attrs = new PayloadWriter(64);
        for (const [k, v] of cmd.attributes ?? []) attrs.lenencBytes(k).lenencBytes(v);
        w.lenencBytes(attrs.finish());
      }
      return w.finish();
    }
    case 'stmt-prepare':
      return w.u8(COM.STMT_PREPARE).string(cmd.query).finish();
    case 'stmt-send-long-data':
      return w.u8(COM.STMT_SEND_LONG_DATA).u32(cmd.statementId).u16(cmd.paramId).bytes(cmd.data).finish();
    case 'stmt-close':
      return w.u8(COM.STMT_CLOSE).u32(cmd.statementId).finish();
    case 'stmt-reset':
      return w.u8(COM.STMT_RESET).u32(cmd.statementId).finish();
    case 'stmt-fetch':
      return w.u8(COM.STMT_FETCH).u32(cmd.statementId).u32(cmd.rows).finish();
    case 'set-option':
      return w.u8(COM.SET_OPTION).u16(cmd.option).finish();
    case 'reset-connection':
      return w.u8(COM.RESET_CONNECTION).finish();
    case 'unknown':
      return w.u8(cmd.code).finish();
  }
}

const NAMES = new Map<number, string>(Object.entries(COM).map(([name, code]) => [code, `COM_${name}`]));

/** "COM_QUERY", "COM_STMT_EXECUTE", … or "command 0x…" for a byte MySQL does not name. */
export function commandName(code: number): string {
  return NAMES.get(code) ?? `command 0x${code.toString(16).padStart(2, '0')}`;
}
