// Python's text for values (repr strings), so toString() of modules and transforms matches
// PyTorch's and torchvision's print() exactly.

/** repr() of a Python float: 0.1, 1e-05, 1.0. */
export function pyFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (Number.isInteger(x) && Math.abs(x) < 1e16) return `${x}.0`;
  const abs = Math.abs(x);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e16)) {
    const [m, e] = x.toExponential().split('e');
    const sign = e[0] === '-' ? '-' : '+';
    return `${m}e${sign}${e.replace(/^[+-]/, '').padStart(2, '0')}`;
  }
  return String(x);
}
export const pyBool = (b: boolean): string => (b ? 'True' : 'False');
/** A Python list of numbers: [0.5, 0.25]. */
export const pyList = (xs: readonly number[]): string => `[${xs.join(', ')}]`;
/** A Python int or tuple of ints: 2, (3, 3). */
export const pyTuple = (x: number | readonly number[]): string =>
  typeof x === 'number' ? String(x) : x.length === 1 ? `(${x[0]},)` : `(${x.join(', ')})`;
