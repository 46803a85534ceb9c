import { decodeErr, encodeCommand } from './codec/index.js';
import { connectUpstream, type UpstreamTarget } from './upstream.js';
import { PacketPump } from './upstream/pump.js';

const KILL_TIMEOUT_MS = 5000;

/**
 * Stops the statement an upstream connection is running: `KILL QUERY <thread id>` on a second
 * connection with the same account (MySQL manual, "KILL Statement": a user may kill their own
 * threads). Closing the session's own connection is not enough: the server notices a gone
 * client only when it next writes to it (or, for SLEEP, when it next polls), so a long
 * statement would run on after its session was terminated.
 */
export async function killQuery(target: Omit<UpstreamTarget, 'database' | 'clientCapabilities' | 'attributes'>, threadId: number): Promise<void> {
  const conn = await connectUpstream({ ...target, database: null, attributes: { _client_name: 'gatehouse', program_name: 'gatehouse (kill query)' } });
  const { socket } = conn;
  try {
    if (conn.remainder.length > 0) socket.unshift(conn.remainder);
    socket.setTimeout(KILL_TIMEOUT_MS, () => socket.destroy(new Error(`no answer to KILL QUERY within ${KILL_TIMEOUT_MS} ms`)));
    const pump = new PacketPump(socket, `${target.host}:${target.port}`);
    pump.send(encodeCommand({ kind: 'query', query: `KILL QUERY ${threadId}` }, conn.capabilities));
    const { payload } = await pump.next();
    // ER_NO_SUCH_THREAD (1094): the statement ended (and the connection with it) meanwhile.
    if (payload[0] === 0xff) {
      const err = decodeErr(payload);
      if (err.code !== 1094) throw new Error(`KILL QUERY ${threadId}: ${err.code} ${err.message}`);
    }
  } finally {
    socket.destroy();
  }
}
