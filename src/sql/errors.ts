/** classify() was called before initSql() finished loading the parser. */
export class SqlNotReadyError extends Error {
  override name = 'SqlNotReadyError';
  constructor(engine: string) {
    super(`the ${engine} parser is not loaded: await initSql() once at start-up before classify()`);
  }
}
