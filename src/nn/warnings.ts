// PyTorch's UserWarnings from the layers, shown once per message (Python's default filter shows
// each once per call site); a no-op where there is no process (browsers).
const warned = new Set<string>();
export function warnOnce(message: string): void {
  if (warned.has(message)) return;
  warned.add(message);
  globalThis.process?.emitWarning?.(message, 'UserWarning');
}
