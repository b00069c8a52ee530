// ESLint: type-checked rules (typescript-eslint), the project's own guard rails, and Prettier for layout.
import * as path from 'node:path';
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const CORE = path.resolve(import.meta.dirname, 'server/src/core');

/**
 * The pure core imports only the core: a relative path that stays inside server/src/core. No Node
 * built-ins, no vscode, no LSP, no package at all (the core tsconfig's "types": [] catches globals;
 * this catches imports, type-only ones included).
 */
const coreImportsOnlyCore = {
  meta: {
    type: 'problem',
    messages: {
      outside: "server/src/core is the pure core: it imports only files inside server/src/core, not '{{source}}'.",
    },
    schema: [],
  },
  create(context) {
    const here = path.dirname(context.filename);
    const check = (node) => {
      if (!node.source || typeof node.source.value !== 'string') return;
      const source = node.source.value;
      const inside = source.startsWith('.') && !path.relative(CORE, path.resolve(here, source)).startsWith('..');
      if (!inside) context.report({ node: node.source, messageId: 'outside', data: { source } });
    };
    return {
      ImportDeclaration: check,
      ExportNamedDeclaration: check,
      ExportAllDeclaration: check,
      ImportExpression: (node) => check({ source: node.source }),
      TSImportEqualsDeclaration: (node) =>
        node.moduleReference.type === 'TSExternalModuleReference' && check({ source: node.moduleReference.expression }),
    };
  },
};

export default tseslint.config(
  {
    ignores: ['dist/**', 'node_modules/**', '.cache/**', '.e2e-artifacts/**', 'bench-data/**', 'test/fixtures/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      // An async method that implements an async interface need not await anything itself.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // The packet printers unwind a cut-off packet with a Truncation, not an Error: it is thrown once
      // per truncated packet, and an Error would capture a stack trace each time.
      '@typescript-eslint/only-throw-error': [
        'error',
        { allow: [{ from: 'file', name: 'Truncation', path: 'server/src/core/capture/printContext.ts' }] },
      ],
    },
  },
  {
    // Plain JavaScript (build, e2e and fixture scripts): no type information to check against.
    files: ['**/*.mjs', '**/*.cjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: { ...globals.node },
    },
  },
  {
    // e2e page functions run inside the browser (page.evaluate).
    files: ['scripts/e2e/**/*.mjs'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
  },
  {
    // Tests and scripts read JSON (package.json, CLI output, SARIF) as data and assert on its shape.
    files: ['test/**/*.ts', 'scripts/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
    },
  },
  {
    files: ['**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // The language server speaks to its client over stdio: a console.log there corrupts the
    // JSON-RPC stream. Log through connection.console.
    files: ['server/src/**/*.ts'],
    ignores: ['server/src/cli/**'],
    rules: { 'no-console': 'error' },
  },
  {
    files: ['server/src/core/**/*.ts'],
    plugins: { lens: { rules: { 'core-imports-only-core': coreImportsOnlyCore } } },
    rules: { 'lens/core-imports-only-core': 'error' },
  },
);
