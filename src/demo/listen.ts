/** Where a listener should bind, and whether the user asked for exactly that. */
export interface ListenRequest {
  host: string;
  port: number;
  /** False for the demo's defaults: a taken default port then falls back to a free one. */
  explicit: boolean;
}

const inUse = (error: unknown) => (error as NodeJS.ErrnoException)?.code === 'EADDRINUSE';

/**
 * Binds with `listen(host, port)`. The demo's default ports (8080, 15432) are often taken on a
 * developer's machine, and the demo prints where it ended up, so a taken default moves to a
 * free port; a port the user named is theirs to fix, so that fails as it is.
 */
export async function listenOrFallBack<T>(request: ListenRequest, listen: (host: string, port: number) => Promise<T>): Promise<T> {
  try {
    return await listen(request.host, request.port);
  } catch (error) {
    if (request.explicit || request.port === 0 || !inUse(error)) throw error;
    return listen(request.host, 0);
  }
}
