// Parsers for the command line's option values: each rejects bad input with a message naming the
// option and the expected form (commander prints it and exits with status 1, no stack trace).
import { InvalidArgumentError } from '@commander-js/extra-typings';

export function positiveInt(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError(`expected a positive integer, got '${v}'`);
  return n;
}
export function nonNegativeInt(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || !Number.isSafeInteger(n)) throw new InvalidArgumentError(`expected a non-negative integer, got '${v}'`);
  return n;
}
export function positiveNumber(v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`expected a positive number, got '${v}'`);
  return n;
}
export function unitInterval(v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < 0 || n >= 1) throw new InvalidArgumentError(`expected a number in [0, 1), got '${v}'`);
  return n;
}
export function integer(v: string): number {
  const n = Number(v);
  if (!/^-?\d+$/.test(v.trim()) || !Number.isSafeInteger(n)) throw new InvalidArgumentError(`expected an integer, got '${v}'`);
  return n;
}
/** 'cpu', 'cuda' or 'cuda:N'. */
export function deviceName(v: string): string {
  if (!/^(cpu|cuda(:\d+)?)$/.test(v)) throw new InvalidArgumentError(`expected cpu, cuda or cuda:N, got '${v}'`);
  return v;
}
/** Three positive integers 'a,b,c' (the speedrun net's conv-group widths). */
export function widthsOption(v: string): [number, number, number] {
  const parts = v.split(',').map((s) => s.trim());
  if (parts.length !== 3 || parts.some((s) => !/^\d+$/.test(s) || Number(s) < 1)) throw new InvalidArgumentError(`expected three positive integers like 16,32,32, got '${v}'`);
  return parts.map(Number) as [number, number, number];
}
/** `--jobs`: 'auto' or a positive integer (src/lab/schedule.ts's JobsOption). */
export function jobsOption(v: string): number | 'auto' {
  if (v.trim() === 'auto') return 'auto';
  try {
    return positiveInt(v);
  } catch {
    throw new InvalidArgumentError(`expected a positive integer or 'auto', got '${v}'`);
  }
}
