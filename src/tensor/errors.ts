// Every libtorch error reaches JS as a TorchError carrying libtorch's message; `kind` is the Python
// exception PyTorch would raise for it (RuntimeError, IndexError, ValueError, TypeError, ...).
// Wrong JS arguments are plain TypeError / RangeError naming the argument (checked before libtorch).
import { native } from './native.js';

export class TorchError extends Error {
  readonly kind: string;
  constructor(message: string, kind = 'RuntimeError') {
    super(message);
    this.name = 'TorchError';
    this.kind = kind;
  }
}

native.setErrorFactory((kind: string, message: string) => new TorchError(message, kind));
