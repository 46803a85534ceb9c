import type { Socket } from 'node:net';
import type { ControlPlane } from '../../control/plane.js';
import type { FailureThrottle } from '../../api/throttle.js';
import type { SessionIdentity } from '../audit.js';
import type { ClientCommand } from './codec/index.js';
import { admit } from './admit.js';
import { MysqlChannel } from './channel.js';
import { LoginError, type MysqlLoggedIn } from './login.js';

export type ChangeUserCommand = Extract<ClientCommand, { kind: 'change-user' }>;

/** What a session hands over when its client sends COM_CHANGE_USER: the client, and what it was. */
export interface ChangeUserHandover {
  command: ChangeUserCommand;
  /** The client's socket (TLS or not); the ended session no longer reads it. */
  socket: Socket;
  /** What the client sent beyond the COM_CHANGE_USER packet. */
  received: Buffer;
  /** The session the command ended. */
  previous: SessionIdentity;
  tls: boolean;
  capabilities: number;
  scramble: Buffer;
  characterSet: number;
  /** The greeting's connection id: the client connection, and so its id, stay the same. */
  connectionId: number;
}

export interface ChangeUserOptions {
  cp: ControlPlane;
  throttle: FailureThrottle;
  timeoutMs: number;
  maxPacketBytes: number;
}

/**
 * COM_CHANGE_USER ("COM_CHANGE_USER"): the client logs in again as another user (or the same)
 * on the connection it has, naming a database. The gateway treats it as a login without the
 * greeting: the same verifiers and uniform 1045, the same throttle and ledger records (with the
 * session it ended as `previous_session`), and the database names a Gatehouse connection again,
 * the same one or another. The new session gets an upstream connection of its own, dialled
 * afresh, so nothing of the previous user's server state (temporary tables, user variables,
 * prepared statements, an open transaction, locks) can reach it — what the server's own
 * COM_CHANGE_USER resets, and more. A failure ends the connection, as the server does.
 */
export async function mysqlChangeUser(handover: ChangeUserHandover, options: ChangeUserOptions): Promise<MysqlLoggedIn> {
  const { command, previous, tls, capabilities, scramble } = handover;
  // The COM_CHANGE_USER packet had sequence id 0: the channel answers with 1.
  const channel = new MysqlChannel(handover.socket, options.timeoutMs, options.maxPacketBytes, handover.received);
  // An old client may leave out the character set; 0 is no collation.
  const characterSet = command.characterSet || handover.characterSet;
  try {
    const admitted = await admit(
      channel,
      { ...command, characterSet },
      {
        cp: options.cp,
        throttle: options.throttle,
        client: previous.client,
        tls,
        capabilities,
        scramble,
        switchOnMiss: true,
        application: previous.application,
        previousSession: previous.sessionId,
      },
    );
    return { channel, ...admitted, tls, capabilities, scramble, characterSet, connectionId: handover.connectionId };
  } catch (error) {
    throw new LoginError(error as Error, channel.socket, channel.nextSequence);
  }
}
