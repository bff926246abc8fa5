import initSqlJs from 'sql.js';
import type { SqlJsStatic } from 'sql.js';
import { readFile } from 'node:fs/promises';

let loading: Promise<SqlJsStatic> | undefined;
let loadedFrom: string | undefined;

/**
 * Loads sql.js once per process, from the WebAssembly file given (the extension's own `dist/`
 * folder, never a CDN). Deferred until the store is first needed.
 */
export function loadSqlJs(wasmPath: string): Promise<SqlJsStatic> {
  if (loading && loadedFrom === wasmPath) return loading;
  loadedFrom = wasmPath;
  loading = readFile(wasmPath).then((wasmBinary) =>
    initSqlJs({ wasmBinary: wasmBinary.buffer.slice(wasmBinary.byteOffset, wasmBinary.byteOffset + wasmBinary.byteLength) as ArrayBuffer }),
  );
  loading.catch(() => {
    loading = undefined;
  });
  return loading;
}
