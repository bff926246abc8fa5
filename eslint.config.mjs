// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['node_modules/**', 'dist/**', 'dist-test/**', 'dist-vsix/**', 'test-results/**', '.tmp/**', 'bench/.data/**'],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly',
        clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', URL: 'readonly',
        AbortController: 'readonly', AbortSignal: 'readonly', __dirname: 'readonly', require: 'readonly',
        globalThis: 'readonly', TextDecoder: 'readonly', TextEncoder: 'readonly', structuredClone: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // The layering of DESIGN.md, made mechanical: core is plain TypeScript, shared by the CLI.
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'vscode', message: 'src/core must not depend on VS Code: pass host services in as interfaces.' }],
        patterns: [{ group: ['**/extension/**', '**/cli/**', '**/webview/**'], message: 'src/core must not import from the outer layers.' }],
      }],
    },
  },
  {
    files: ['src/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'vscode', message: 'The CLI runs without VS Code.' }],
        patterns: [{ group: ['**/extension/**'], message: 'The CLI uses src/core only.' }],
      }],
    },
  },
  {
    files: ['webview/**/*.ts'],
    languageOptions: { globals: { window: 'readonly', document: 'readonly', acquireVsCodeApi: 'readonly', MutationObserver: 'readonly', getComputedStyle: 'readonly' } },
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'vscode', message: 'Webviews talk to the host only through their protocol.' }],
        patterns: [{ group: ['**/src/**'], message: 'Webviews share only protocol files with the host.' }],
      }],
    },
  },
);
