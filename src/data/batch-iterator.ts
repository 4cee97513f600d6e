// One epoch of a DataLoader: turns batches of indices into [input, target] batches, sync or async
// (prefetching), frees each batch when the next is requested, refuses to be materialised into freed
// tensors, and hands out owned batches (take). See the header of dataloader.ts for the why.
import type { Tensor } from '../tensor/index.js';
import * as handles from '../tensor/handles.js';

/** One [input, target] batch. */
export type Batch = [Tensor, Tensor];

// A batch tensor is freed unless torch.keep() marked it.
function release(batch: readonly Tensor[] | null): void {
  if (!batch) return;
  for (const t of batch) if (!handles.isKept(t)) t.dispose();
}

function unreadError(k: number): TypeError {
  return new TypeError(`DataLoader: batch ${k} was never read before the next batch was requested. ` +
    'A loader frees each batch when the next one is requested, so materialising it ([...loader], ' +
    'Array.from(loader)) would hand back freed tensors. For batches you own, use loader.firstBatch() ' +
    "(Python's next(iter(loader))) or loader.toArray() (list(loader)); in a loop, torch.keep(x) a batch to hold it.");
}

/**
 * The batch as handed out: reading it (destructuring, indexing) marks it read. Only `then` is not a
 * read: `await` looks it up on every value it is given.
 */
function watched(b: Batch, onRead: () => void): Batch {
  return new Proxy(b, {
    get(target, p, receiver) {
      if (p !== 'then') onRead();
      return Reflect.get(target, p, receiver);
    },
  });
}

export class BatchIterator {
  readonly #indices: Iterator<Tensor>;
  readonly #make: (idx: Tensor) => Batch;
  #closed = false;

  /** `indices` yields int64 index tensors (disposed here); `make` cuts one batch from one of them. */
  constructor(indices: Iterator<Tensor>, make: (idx: Tensor) => Batch) {
    this.#indices = indices;
    this.#make = make;
  }

  /** The next batch, or null at the end of the epoch. */
  #next(): Batch | null {
    if (this.#closed) return null;
    const r = this.#indices.next();
    if (r.done) {
      this.#close();
      return null;
    }
    try {
      return this.#make(r.value);
    } finally {
      r.value.dispose();
    }
  }

  #close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#indices.return?.();
  }

  /** Up to n batches, owned by the caller (never freed here); ends the epoch. */
  take(n: number): Batch[] {
    const out: Batch[] = [];
    try {
      while (out.length < n) {
        const b = this.#next();
        if (b === null) break;
        out.push(b);
      }
    } finally {
      this.#close();
    }
    return out;
  }

  sync(): Iterator<Batch> {
    let current: Batch | null = null;
    let read = true;
    let k = -1;
    const fail = (e: unknown): never => {
      release(current);
      current = null;
      this.#close();
      throw e;
    };
    return {
      next: (): IteratorResult<Batch> => {
        if (current !== null && !read) fail(unreadError(k));
        release(current);
        current = null;
        let b: Batch | null = null;
        try {
          b = this.#next();
        } catch (e) {
          fail(e);
        }
        if (b === null) return { done: true, value: undefined };
        current = b;
        read = false;
        k++;
        return { done: false, value: watched(b, () => { read = true; }) };
      },
      // break: the current batch is left to the caller's scope (or the GC net)
      return: (): IteratorResult<Batch> => {
        this.#close();
        return { done: true, value: undefined };
      },
    };
  }

  async(): AsyncIterator<Batch> {
    let current: Batch | null = null;
    let read = true;
    let k = -1;
    let pending: Promise<Batch | null> | null = null;
    const prepare = (): Promise<Batch | null> => {
      const p = new Promise<Batch | null>((resolve, reject) => {
        setImmediate(() => {
          try {
            resolve(this.#next());
          } catch (e) {
            reject(e);
          }
        });
      });
      p.catch(() => {}); // a failure surfaces when next() awaits it, not as an unhandled rejection meanwhile
      return p;
    };
    const finish = async (): Promise<void> => {
      const p = pending;
      pending = null;
      if (p) release(await p.catch(() => null));
      this.#close();
    };
    let started = false;
    return {
      next: async (): Promise<IteratorResult<Batch>> => {
        if (current !== null && !read) {
          release(current);
          current = null;
          await finish();
          throw unreadError(k);
        }
        release(current);
        current = null;
        if (!started) {
          started = true;
          pending = prepare();
        }
        const p = pending;
        if (p === null) return { done: true, value: undefined };
        pending = prepare(); // batch k + 1 is cut while batch k is in use
        let b: Batch | null;
        try {
          b = await p;
        } catch (e) {
          await finish();
          throw e;
        }
        if (b === null) {
          await finish();
          return { done: true, value: undefined };
        }
        current = b;
        read = false;
        k++;
        return { done: false, value: watched(b, () => { read = true; }) };
      },
      return: async (): Promise<IteratorResult<Batch>> => {
        await finish();
        return { done: true, value: undefined };
      },
    };
  }
}
