// ESLint: type-checked rules (typescript-eslint), the project's own guard rails, and Prettier for layout.
import * as path from 'node:path';
import js from '@eslint/js';
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
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Plain JavaScript (build, e2e and fixture scripts): no type information to check against.
    files: ['**/*.mjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        fetch: 'readonly',
        AbortController: 'readonly',
        TextDecoder: 'readonly',
        TextEncoder: 'readonly',
        document: 'readonly',
        window: 'readonly',
      },
    },
  },
  {
    // The language server speaks to its client over stdio: a console.log there corrupts the
    // JSON-RPC stream. Log through connection.console.
    files: ['server/src/**/*.ts'],
    ignores: ['server/src/cli.ts', 'server/src/cli/**'],
    rules: { 'no-console': 'error' },
  },
  {
    files: ['server/src/core/**/*.ts'],
    plugins: { lens: { rules: { 'core-imports-only-core': coreImportsOnlyCore } } },
    rules: { 'lens/core-imports-only-core': 'error' },
  },
);
