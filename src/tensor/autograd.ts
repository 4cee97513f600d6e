// Grad mode: torch.no_grad() / enable_grad() as functions taking a callback (JS has no `with`).
import { native } from './native.js';
import { assertSync } from './scope.js';

function withGradMode<T>(enabled: boolean, fn: () => T, who: string): T {
  if (typeof fn !== 'function') throw new TypeError(`${who}: expected a function`);
  const prev = native.setGradEnabled(enabled);
  try {
    const r = fn();
    assertSync(r, who);
    return r;
  } finally {
    native.setGradEnabled(prev);
  }
}

/** Runs fn without recording operations for autograd (torch.no_grad()). */
export const noGrad = <T>(fn: () => T): T => withGradMode(false, fn, 'noGrad');
/** Runs fn with autograd recording on, even inside noGrad (torch.enable_grad()). */
export const enableGrad = <T>(fn: () => T): T => withGradMode(true, fn, 'enableGrad');
export const isGradEnabled = (): boolean => native.isGradEnabled();
/** Sets grad mode globally (torch.set_grad_enabled); returns the previous mode. */
export const setGradEnabled = (enabled: boolean): boolean => {
  if (typeof enabled !== 'boolean') throw new TypeError('setGradEnabled: expected a boolean');
  return native.setGradEnabled(enabled);
};
