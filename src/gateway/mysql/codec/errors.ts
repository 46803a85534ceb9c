/**
 * A byte stream or packet payload that breaks the MySQL client/server protocol. The session
 * answers it the way the server does: an ERR packet with this error code and SQLSTATE
 * ("ERR_Packet"), then the connection closes.
 *   1835 ER_MALFORMED_PACKET (HY000): the default, a payload that does not parse.
 *   1153 ER_NET_PACKET_TOO_LARGE (08S01): a logical packet over the size limit.
 *   1156 ER_NET_PACKETS_OUT_OF_ORDER (08S01): a continuation packet with the wrong sequence id.
 */
export class ProtocolError extends Error {
  override name = 'ProtocolError';
  constructor(
    message: string,
    readonly code: number = ER_MALFORMED_PACKET,
    readonly sqlstate: string = 'HY000',
  ) {
    super(message);
  }

  /** The fields of the ERR packet that reports this error to the peer. */
  toErr(): { code: number; sqlstate: string; message: string } {
    return { code: this.code, sqlstate: this.sqlstate, message: this.message };
  }
}

export const ER_MALFORMED_PACKET = 1835;
export const ER_NET_PACKET_TOO_LARGE = 1153;
export const ER_NET_PACKETS_OUT_OF_ORDER = 1156;
