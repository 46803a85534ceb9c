/** The MySQL/MariaDB client/server protocol (protocol 10, 4.1 packets) as bytes ⇄ typed packets. */
export * from './errors.js';
export * from './capabilities.js';
export * from './constants.js';
export { PayloadReader, PayloadWriter } from './bytes.js';
export * from './packets.js';
export * from './response.js';
export * from './handshake.js';
export * from './result-set.js';
export * from './binary-values.js';
export * from './params.js';
export * from './commands.js';
export * from './stmt-prepare.js';
export * from './stmt-execute.js';
export * from './tracker.js';
