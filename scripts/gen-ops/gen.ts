// The op generator: reads the schemas of the libtorch we build against (ATen's
// RegistrationDeclarations.h) and writes the C++ bindings, the typed addon declaration, the TS API
// and the coverage file. Run from the repository root:
//
//   npx tsx scripts/gen-ops/gen.ts                 # everything, from /usr/include/ATen
//   npx tsx scripts/gen-ops/gen.ts --header H      # another libtorch's header
//   npx tsx scripts/gen-ops/gen.ts --cpp-only --out DIR --header H   # C++ only (the build does this
//                                                   # for a libtorch whose header differs)
//   npx tsx scripts/gen-ops/gen.ts --check         # exit 1 if regenerating would change a file
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import { camel, type Schema } from '../../src/tensor/aten-schema.js';
import { DEFAULT_HEADER, loadVariants, readSchemas, select, VARIANTS_JSON, YAML, readVariants } from './select.js';
import { CPP_UNITS, emitCppUnit } from './emit-cpp.js';
import { emitAll, emitFunctions, emitMethods, emitNativeApi, emitSpecs, emitTorchExports, ident } from './emit-ts.js';
import { handWritten } from './hand-written.js';
import { emitCoverage } from './coverage.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TS_PARTS = 4;

export function generate(header: string): Map<string, string> {
  const schemas = readSchemas(header);
  const hash = createHash('sha256').update(schemas.join('\n')).digest('hex').slice(0, 16);
  const note = `RegistrationDeclarations.h (schemas sha256 ${hash})`;
  const sel = select(schemas);
  const variants = loadVariants();
  const files = new Map<string, string>();

  // C++: contiguous chunks of ops, balanced by overload count
  const entries = [...sel.ops.entries()];
  const total = entries.reduce((n, [, l]) => n + l.length, 0);
  const units: Schema[][] = Array.from({ length: CPP_UNITS }, () => []);
  let acc = 0;
  for (const [, list] of entries) {
    const u = Math.min(CPP_UNITS - 1, Math.floor((acc * CPP_UNITS) / total));
    units[u].push(...list);
    acc += list.length;
  }
  units.forEach((u, i) => files.set(`native/generated/aten_ops_${i}.cc`, emitCppUnit(i, u, note)));

  files.set('src/tensor/native-api.generated.ts', emitNativeApi(sel.ops, note));
  files.set('src/tensor/aten/specs.generated.ts', emitSpecs(sel.ops, note));
  const hw = handWritten(ROOT);
  const torchNames: [string, number][] = [];
  const methodOps: [string, Schema[]][] = [];
  const seenCamel = new Map<string, string>();
  const clashes: [string, string][] = [];
  const parts: [string, Schema[]][][] = Array.from({ length: TS_PARTS }, () => []);
  entries.forEach(([name, list], i) => {
    const c = camel(name);
    if (seenCamel.has(c)) {
      clashes.push([name, seenCamel.get(c)!]);
      return;
    }
    seenCamel.set(c, name);
    const p = Math.min(TS_PARTS - 1, Math.floor((i * TS_PARTS) / entries.length));
    parts[p].push([name, list]);
    const v = variants[name] ?? 'f';
    if (v.includes('f') && !hw.functions.has(c)) torchNames.push([ident(c), p]);
    if (v.includes('m') && !hw.methods.has(c) && list.some((s) => s.args[0]?.name === 'self')) methodOps.push([name, list]);
  });
  parts.forEach((ops, p) => files.set(`src/tensor/aten/ops-${p}.generated.ts`, emitFunctions(ops, p, note)));
  files.set('src/tensor/aten/all.generated.ts', emitAll(TS_PARTS, note));
  files.set('src/tensor/aten/torch.generated.ts', emitTorchExports(torchNames, note));
  files.set('src/tensor/aten/methods.generated.ts', emitMethods(methodOps, note));
  files.set('native/generated/COVERAGE.md', emitCoverage(sel, clashes, torchNames.length, methodOps.length, variants, note));
  files.set('scripts/gen-ops/variants.json', JSON.stringify(existsSync(YAML) ? readVariants(YAML) : variants, null, 0)
    .replace(/,"/g, ',\n"') + '\n');
  return files;
}

function main(): void {
  const argv = process.argv.slice(2);
  const opt = (k: string): string | undefined => {
    const i = argv.indexOf(k);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const header = opt('--header') ?? DEFAULT_HEADER;
  const files = generate(header);
  if (argv.includes('--cpp-only')) {
    const out = opt('--out') ?? join(ROOT, 'native', 'generated');
    mkdirSync(out, { recursive: true });
    for (const [p, text] of files) if (p.startsWith('native/generated/') && p.endsWith('.cc')) writeFileSync(join(out, p.slice(17)), text);
    return;
  }
  if (argv.includes('--check')) {
    const stale = [...files].filter(([p, text]) => !existsSync(join(ROOT, p)) || readFileSync(join(ROOT, p), 'utf8') !== text);
    for (const [p] of stale) console.error(`stale: ${p}`);
    process.exit(stale.length ? 1 : 0);
  }
  for (const [p, text] of files) {
    mkdirSync(dirname(join(ROOT, p)), { recursive: true });
    writeFileSync(join(ROOT, p), text);
  }
  console.log(`wrote ${files.size} files`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
void VARIANTS_JSON;
