/** Master key and sealed-secret failures; messages never contain secret material. */
export class ConnectionError extends Error {
  override name = 'ConnectionError';
}
