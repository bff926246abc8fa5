// One build script: the extension (node/cjs, `vscode` external), its store worker, the CLI (node) and the
// webview bundles (browser). Flags: --production minifies and drops source maps; --watch rebuilds.
import * as esbuild from 'esbuild';
import { copyFile, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(fileURLToPath(import.meta.url));
const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** @type {import('esbuild').Plugin} */
const problemMatcher = {
  name: 'problem-matcher',
  setup(build) {
    build.onStart(() => console.log(`[watch] build started (${build.initialOptions.entryPoints})`));
    build.onEnd((result) => {
      for (const { text, location } of result.errors) {
        console.error(`✘ [ERROR] ${text}`);
        if (location) console.error(`    ${location.file}:${location.line}:${location.column}:`);
      }
      console.log('[watch] build finished');
    });
  },
};

const common = {
  bundle: true,
  minify: production,
  sourcemap: production ? false : 'linked',
  sourcesContent: false,
  logLevel: 'warning',
  plugins: watch ? [problemMatcher] : [],
  absWorkingDir: root,
  // jsonc-parser's "main" is a UMD module that requires its own files at run time, which a bundle
  // cannot follow: bundle its ES module build instead.
  alias: { 'jsonc-parser': 'jsonc-parser/lib/esm/main.js' },
};

/** @type {import('esbuild').BuildOptions[]} */
const targets = [
  {
    ...common,
    entryPoints: { extension: 'src/extension/extension.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
  },
  {
    // The store worker: the workspace's live database, in a worker thread of the extension host.
    ...common,
    entryPoints: { storeWorker: 'src/core/store/worker/storeWorker.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
  },
  {
    ...common,
    entryPoints: { cli: 'src/cli/main.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
  },
  {
    ...common,
    // Every chart page (repository stars, metric, model, dashboard) shares one bundle, so that Vega is
    // shipped once; the page picks its module by <body data-page>.
    entryPoints: { 'webview/charts': 'webview/charts/index.ts', 'webview/results': 'webview/results/main.ts',
      // The lineage panel, and the worker its ELK layout runs in (off the panel's main thread).
      'webview/lineage': 'webview/lineage/main.ts',
      'webview/lineageLayout': 'webview/lineage/layoutWorker.ts',
    },
    outdir: 'dist',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
  },
];

// The integration suite, bundled so that it can be dropped inside a test-runner extension.
if (!production) {
  targets.push({
    ...common,
    entryPoints: { 'integration/index': 'test/integration/index.ts' },
    outdir: 'dist-test',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
    plugins: [],
    // mocha's parallel mode resolves worker files at run time; the suite runs serially.
    logOverride: { 'require-resolve-not-external': 'silent' },
  });
}

async function copyAssets() {
  // A production build starts clean so that no stale source map reaches the VSIX.
  if (production) await rm(path.join(root, 'dist'), { recursive: true, force: true });
  await mkdir(path.join(root, 'dist'), { recursive: true });
  // sql.js's WebAssembly ships with the extension and is loaded from its own files, never a CDN.
  await copyFile(path.join(root, 'node_modules/sql.js/dist/sql-wasm.wasm'), path.join(root, 'dist/sql-wasm.wasm'));
  // The font the lineage SVG is measured in (src/core/lineage/textMeasure.ts), read from dist/fonts/.
  await mkdir(path.join(root, 'dist/fonts'), { recursive: true });
  for (const weight of [400, 700]) {
    const file = `arimo-latin-${weight}-normal.woff`;
    await copyFile(path.join(root, 'node_modules/@fontsource/arimo/files', file), path.join(root, 'dist/fonts', file));
  }
  await copyFile(path.join(root, 'node_modules/@fontsource/arimo/LICENSE'), path.join(root, 'dist/fonts/LICENSE-arimo.txt'));
}

await copyAssets();
if (watch) {
  const contexts = await Promise.all(targets.map((t) => esbuild.context(t)));
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  await Promise.all(targets.map((t) => esbuild.build(t)));
}
