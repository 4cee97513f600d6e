// Keyword arguments of layer, loss and model constructors. PyTorch lets any argument be given by
// keyword; in JS the keywords are one options object. Every constructor checks its object with
// tensor/args' checkOptions (the one helper for the whole library), so a misspelt key is a
// TypeError naming it and the valid ones instead of a silently ignored setting:
//   new nn.Conv2d(1, 8, 3, { paddng: 1 })
//   -> TypeError: Conv2d: unknown option 'paddng'; valid options: stride, padding, dilation, ...
import { checkOptions, describe } from '../tensor/args.js';
import { isTensor } from '../tensor/handles.js';

/** A plain `{...}` object (not a Tensor, array or class instance): what an options argument is. */
export function isOptionsObject(x: unknown): x is Record<string, unknown> {
  if (x === null || typeof x !== 'object' || Array.isArray(x) || isTensor(x)) return false;
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

/**
 * PyTorch's positional-or-keyword arguments: the leading ones given positionally, the rest (or all)
 * by name in one trailing options object. For `names = ['p', 'inplace']`, each of
 * `(0.2)`, `(0.2, true)`, `({ p: 0.2 })`, `(0.2, { inplace: true })` gives `{ p: 0.2, inplace? }`.
 * An unknown key, a key also given positionally, or an options object followed by more arguments
 * is a TypeError (Python raises TypeError for the same calls). Constructors using it declare their
 * arguments optional without default values, so that a trailing options object is the last argument.
 * `maxPositional` limits how many may be positional (PyTorch's losses take later arguments, after
 * the deprecated size_average / reduce, only by keyword).
 */
export function keywordArgs(owner: string, args: readonly unknown[], names: readonly string[], maxPositional = names.length): Record<string, unknown> {
  let n = args.length;
  while (n > 0 && args[n - 1] === undefined) n--;
  const positional = isOptionsObject(args[n - 1]) ? n - 1 : n;
  if (positional > maxPositional) {
    throw new TypeError(`${owner}: takes at most ${maxPositional} positional argument${maxPositional === 1 ? '' : 's'} ` +
      `(${names.slice(0, maxPositional).join(', ')}), then an options object {${names.slice(maxPositional).join(', ')}}; got ${positional}`);
  }
  const out: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) {
    const a = args[i];
    if (!isOptionsObject(a)) {
      out[names[i]] = a;
      continue;
    }
    if (i !== n - 1) throw new TypeError(`${owner}: an options object must be the last argument, got ${describe(args[i + 1])} after it`);
    for (const k of Object.keys(a)) {
      if (names.slice(0, i).includes(k)) throw new TypeError(`${owner}: got multiple values for argument '${k}'`);
    }
    Object.assign(out, checkOptions(a, owner, names.slice(i)));
  }
  return out;
}
