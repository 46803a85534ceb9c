/** The PostgreSQL frontend/backend protocol (3.0 and 3.2) as bytes ⇄ typed messages. */
export * from './errors.js';
export { BodyReader, MessageWriter } from './bytes.js';
export * from './reader.js';
export * from './frontend.js';
export * from './backend.js';
