// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test/fixtures/**', 'examples/**', '.cache/**', 'bench/out/**', 'dist-test/**', '**/*.js'] },
  js.configs.recommended,
  // The build, test and bench scripts are plain JavaScript for Node (they run before anything is compiled): the
  // recommended rules, without type information. Browser names appear only inside Playwright's page.evaluate().
  {
    files: ['**/*.mjs', '**/*.cjs'],
    languageOptions: {
      globals: Object.fromEntries(
        [
          ...['process', 'console', 'Buffer', 'URL', 'URLSearchParams', 'AbortController', 'AbortSignal', 'fetch', 'performance', 'structuredClone'],
          ...['TextDecoder', 'TextEncoder', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'queueMicrotask'],
          ...['__dirname', '__filename', 'require', 'module', 'exports'],
          ...['document', 'window', 'getComputedStyle', 'HTMLInputElement', 'HTMLSelectElement'],
        ].map((name) => [name, 'readonly']),
      ),
    },
  },
  ...tseslint.configs.recommendedTypeChecked.map((c) => ({ ...c, files: ['**/*.ts'] })),
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [
          { name: 'vscode', message: 'src/core is editor-independent: move this to src/extension.' },
        ],
        patterns: [
          { group: ['vscode-languageserver*', 'vscode-languageclient*', 'vscode-jsonrpc*'], message: 'src/core is editor-independent: move this to src/server.' },
          { group: ['**/extension/**', '**/server/**', '**/cli/**'], message: 'Data flows one way: the core does not import its faces.' },
        ],
      }],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-expressions': 'off',
      // A test never sleeps: `new Promise((r) => setTimeout(r, 500))` is a fixed wait. Await the event, or poll
      // a condition with a deadline.
      'no-restricted-syntax': ['error', {
        selector: 'NewExpression[callee.name="Promise"] CallExpression[callee.name="setTimeout"][arguments.0.type="Identifier"][arguments.1.type="Literal"]',
        message: 'Tests do not sleep: await the event, or poll a condition with a deadline.',
      }],
    },
  },
);
