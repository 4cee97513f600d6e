// The names src/tensor already defines by hand: generated torch.* functions and Tensor methods
// never replace them (they add something: JS-number promotion, positional keepdim, named
// tuples the tests and models rely on). Read from the sources, so the generator follows edits.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface HandWritten {
  functions: Set<string>;
  methods: Set<string>;
}

// torch.* namespaces from src/index.ts (an op of the same name must not shadow them) and the
// generated namespace itself.
const NAMESPACES = ['F', 'functional', 'nn', 'optim', 'models', 'data', 'utils', 'train', 'aten'];

export function handWritten(root: string): HandWritten {
  const dir = join(root, 'src', 'tensor');
  const index = readFileSync(join(dir, 'index.ts'), 'utf8');
  const functions = new Set<string>(NAMESPACES);
  // export { a, b as c, type T } from '...'
  for (const m of index.matchAll(/export\s*\{([^}]*)\}/g)) {
    for (const item of m[1].split(',')) {
      const parts = item.trim().replace(/^type\s+/, '').split(/\s+as\s+/);
      const n = parts[parts.length - 1].trim();
      if (n) functions.add(n);
    }
  }
  // export * from './x.js' (but not the generated ones)
  for (const m of index.matchAll(/export \* from '\.\/([\w-]+)\.js'/g)) {
    const src = readFileSync(join(dir, `${m[1]}.ts`), 'utf8');
    for (const d of src.matchAll(/^export (?:const|function|class|let) (\w+)/gm)) functions.add(d[1]);
  }
  // export const float32 = 'float32', float = ...
  for (const m of index.matchAll(/(\w+) = '\w+'/g)) functions.add(m[1]);
  for (const m of index.matchAll(/export const (\w+)/g)) functions.add(m[1]);
  const tensor = readFileSync(join(dir, 'tensor.ts'), 'utf8');
  const methods = new Set<string>();
  for (const m of tensor.matchAll(/^ {2}(?:static |get |set |async )?(#?\w+)\s*[(<]/gm)) methods.add(m[1]);
  for (const m of tensor.matchAll(/^ {2}(?:readonly )?(\w+)[?!]?: /gm)) methods.add(m[1]);
  return { functions, methods };
}
