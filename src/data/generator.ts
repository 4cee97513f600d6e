// torch.Generator for the data API: a CPU random number generator of its own, for samplers,
// randomSplit and the DataLoader, drawing the same numbers as a PyTorch Generator with the same seed.
//
// How: libtorch's CPU generator is one Mersenne Twister whose whole state getRngState/setRngState
// exchange (5056 bytes, CPUGeneratorImplState). A Generator holds such a state; use(fn) swaps it into
// the global generator, runs fn (randperm, rand, randint, ...) and swaps it back out, so fn draws
// exactly what PyTorch's `op(..., generator=g)` draws and the global stream is left untouched.
// manualSeed(s) builds the state that libtorch's manual_seed(s) would (mt19937's seeding, below) rather
// than calling torch.manualSeed, which would also reseed every CUDA generator as a side effect.
//
// Deviation from PyTorch: tensor ops (torch.randn, ...) take no `generator` option yet; a Generator
// serves the data API, and `g.use(() => torch.randn([3]))` runs any op on it.
import * as torch from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';
import { describe } from '../tensor/args.js';

const MT_N = 624;
/** sizeof(CPUGeneratorImplState) in libtorch 1.13 (the legacy THGeneratorState + the float normal cache). */
const STATE_BYTES = 5056;
const OFF = { seed: 0, left: 8, seeded: 12, next: 16, state: 24, normalValid: 5040, floatNormalValid: 5052 } as const;

function checkSeed(seed: unknown): bigint {
  if (typeof seed === 'bigint') {
    if (seed < 0n || seed >= 1n << 64n) throw new RangeError(`seed: expected an integer in [0, 2**64), got ${seed}`);
    return seed;
  }
  if (!Number.isSafeInteger(seed) || (seed as number) < 0) throw new TypeError(`seed: expected a non-negative integer, got ${describe(seed)}`);
  return BigInt(seed as number);
}

/**
 * The CPU generator state after libtorch's manual_seed(seed): at::mt19937(seed) seeds its 624 words from
 * the low 32 bits of the seed (init_with_uint32), left_ = 1, next_ = 0, no cached normal samples.
 */
export function cpuStateForSeed(seed: number | bigint): Tensor {
  const s = checkSeed(seed);
  const bytes = new Uint8Array(STATE_BYTES);
  const view = new DataView(bytes.buffer);
  view.setBigUint64(OFF.seed, s, true);
  view.setInt32(OFF.left, 1, true);
  view.setInt32(OFF.seeded, 1, true);
  view.setBigUint64(OFF.next, 0n, true);
  let prev = Number(s & 0xffffffffn);
  view.setBigUint64(OFF.state, BigInt(prev), true);
  for (let j = 1; j < MT_N; j++) {
    const x = (prev ^ (prev >>> 30)) >>> 0;
    prev = (Math.imul(1812433253, x) + j) >>> 0; // (1812433253 * x + j) mod 2**32
    view.setBigUint64(OFF.state + 8 * j, BigInt(prev), true);
  }
  view.setInt32(OFF.normalValid, 0, true);
  bytes[OFF.floatNormalValid] = 0;
  return torch.tensor(bytes);
}

/**
 * A random number generator of its own (torch.Generator on the CPU).
 * @example
 * const g = new Generator().manualSeed(42);
 * const [train, val] = randomSplit(ds, [0.8, 0.2], { generator: g }); // = random_split(..., generator=torch.Generator().manual_seed(42))
 */
export class Generator {
  #state: Tensor;
  #seed: bigint;
  constructor() {
    this.#seed = 67280421310721n; // c10::default_rng_seed_val, as a fresh torch.Generator()
    this.#state = torch.keep(cpuStateForSeed(this.#seed));
  }
  /** Seeds the generator (torch.Generator.manual_seed); returns it, so `new Generator().manualSeed(s)` chains. */
  manualSeed(seed: number | bigint): this {
    const s = checkSeed(seed);
    const next = torch.keep(cpuStateForSeed(s));
    this.#state.dispose();
    this.#state = next;
    this.#seed = s;
    return this;
  }
  /** The seed last set (torch.Generator.initial_seed), a number when it is a safe integer. */
  initialSeed(): number | bigint {
    return this.#seed <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(this.#seed) : this.#seed;
  }
  /** A copy of the state (uint8, torch.Generator.get_state), owned by the caller's scope. */
  getState(): Tensor {
    return this.#state.clone();
  }
  /** Restores a state from getState() or torch.getRngState() (torch.Generator.set_state). */
  setState(state: Tensor): this {
    const saved = torch.getRngState();
    try {
      torch.setRngState(state); // validates the size and dtype as libtorch does
    } finally {
      torch.setRngState(saved);
      saved.dispose();
    }
    const next = torch.keep(state.clone());
    this.#state.dispose();
    this.#state = next;
    return this;
  }
  /** Runs fn with this generator in place of the global CPU generator (fn's draws advance this one only). */
  use<T>(fn: () => T): T {
    const saved = torch.getRngState();
    torch.setRngState(this.#state);
    try {
      return fn();
    } finally {
      const after = torch.keep(torch.getRngState());
      this.#state.dispose();
      this.#state = after;
      torch.setRngState(saved);
      saved.dispose();
    }
  }
  toString(): string {
    return `Generator(seed=${this.#seed})`;
  }
}

/** Runs fn on `generator`, or on the global generator when there is none (PyTorch's generator=None). */
export function withGenerator<T>(generator: Generator | null | undefined, fn: () => T): T {
  if (generator === null || generator === undefined) return fn();
  if (!(generator instanceof Generator)) throw new TypeError(`generator: expected a data.Generator, got ${describe(generator)}`);
  return generator.use(fn);
}

/**
 * A seed drawn from the global generator as PyTorch's `int(torch.empty((), dtype=torch.int64).random_().item())`
 * does: one 64-bit draw (two Mersenne Twister words). Only its low 32 bits are returned: they are all that
 * mt19937 keeps when seeded, so a generator seeded with them draws what PyTorch's does. torchlab has no
 * full-range random_(), so the draw is randint(0, 2**32), which takes the same 64-bit draw modulo 2**32.
 */
export function drawSeed(): number {
  const t = torch.randint(0, 2 ** 32, [1], { dtype: 'int64' });
  try {
    return Number(t.item());
  } finally {
    t.dispose();
  }
}
