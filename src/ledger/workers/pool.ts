import { availableParallelism } from 'node:os';
import { parentPort, receiveMessageOnPort, Worker, type Transferable } from 'node:worker_threads';

/**
 * A small pool of worker threads for CPU-bound ledger work (hashing pages of entries while
 * the main thread reads the next page). Tasks are plain messages; each gets its own promise.
 * An idle worker is unref'd, so a pool left open never keeps the process alive, while a
 * busy one is ref'd, so a process awaiting a result does not exit under it. close()
 * terminates the threads.
 */

interface Task {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

interface Slot {
  worker: Worker;
  tasks: Map<number, Task>;
}

/** The default pool size: the cores left beside the main thread, at least one. */
export function defaultPoolSize(): number {
  return Math.max(1, availableParallelism() - 1);
}

export class WorkerPool<In, Out> {
  private readonly slots: Slot[];
  private nextId = 0;
  private failure: Error | undefined;

  constructor(script: URL, size = defaultPoolSize()) {
    this.slots = Array.from({ length: Math.max(1, size) }, () => this.start(script));
  }

  get size(): number {
    return this.slots.length;
  }

  /** Runs one task on the least busy worker. */
  run(input: In, transfer: readonly Transferable[] = []): Promise<Out> {
    if (this.failure) return Promise.reject(this.failure);
    const slot = this.slots.reduce((a, b) => (b.tasks.size < a.tasks.size ? b : a));
    const id = this.nextId++;
    return new Promise<Out>((resolve, reject) => {
      if (slot.tasks.size === 0) slot.worker.ref();
      slot.tasks.set(id, { resolve: resolve as (value: unknown) => void, reject });
      slot.worker.postMessage({ id, input }, transfer);
    });
  }

  /** Terminates the workers; tasks still running are rejected. */
  async close(): Promise<void> {
    this.fail(new Error('the worker pool was closed'));
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private start(script: URL): Slot {
    const slot: Slot = { worker: new Worker(script), tasks: new Map() };
    slot.worker.on('message', (reply: { id: number; output?: unknown; error?: string }) => {
      const task = slot.tasks.get(reply.id);
      if (!task) return;
      slot.tasks.delete(reply.id);
      if (slot.tasks.size === 0) slot.worker.unref();
      if (reply.error !== undefined) task.reject(new Error(reply.error));
      else task.resolve(reply.output);
    });
    // A worker that dies takes the pool with it: every task in flight, and every later one, fails.
    slot.worker.on('error', (error) => this.fail(error));
    slot.worker.on('exit', (code) => this.fail(new Error(`a ledger worker thread exited (code ${code})`)));
    slot.worker.unref(); // after the listeners: adding a 'message' listener refs the worker again
    return slot;
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const slot of this.slots ?? []) {
      for (const task of slot.tasks.values()) task.reject(this.failure);
      slot.tasks.clear();
    }
  }
}

/** One task's answer from a worker's handler. */
export interface TaskReply<Out> {
  output: Out;
  transfer?: Transferable[];
}

/** In a worker script: answers each task with handler's result (and the buffers to transfer back). */
export function serveTasks<In, Out>(handler: (input: In) => TaskReply<Out>): void {
  serveTaskGroups<In, Out>((inputs) => inputs.map(handler), 1);
}

/**
 * In a worker script: the handler is given every task waiting in the port at that moment,
 * oldest first, up to `maxGroup`, and answers each (or throws, and every task of the group
 * fails with that error). Tasks that were posted while the worker was busy with the previous
 * group are thus handled together: the SQLite writer commits them in one transaction, one
 * fsync for all.
 */
export function serveTaskGroups<In, Out>(handler: (inputs: In[]) => TaskReply<Out>[], maxGroup = 64): void {
  if (!parentPort) throw new Error('serveTaskGroups runs only in a worker thread');
  const port = parentPort;
  type Posted = { id: number; input: In };
  port.on('message', (first: Posted) => {
    const tasks = [first];
    while (tasks.length < maxGroup) {
      const next = receiveMessageOnPort(port);
      if (!next) break;
      tasks.push(next.message as Posted);
    }
    let replies: TaskReply<Out>[];
    try {
      replies = handler(tasks.map((t) => t.input));
    } catch (error) {
      for (const { id } of tasks) port.postMessage({ id, error: (error as Error).message });
      return;
    }
    tasks.forEach(({ id }, i) => port.postMessage({ id, output: replies[i]!.output }, replies[i]!.transfer ?? []));
  });
}
