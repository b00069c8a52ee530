// Bundles the client, the server and the CLI with esbuild: three self-contained files in dist/.
import { chmodSync } from 'node:fs';
import * as esbuild from 'esbuild';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
};

/** dist/cli.js is package.json's `bin`: npm links it as a command, so it must be executable (after every rebuild, watch mode too). */
const executable = {
  name: 'executable',
  setup(build) {
    build.onEnd((result) => {
      if (result.errors.length === 0) chmodSync(build.initialOptions.outfile, 0o755);
    });
  },
};

const entries = [
  { entryPoints: ['client/src/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] },
  { entryPoints: ['server/src/server.ts'], outfile: 'dist/server.js' },
  {
    entryPoints: ['server/src/cli/main.ts'],
    outfile: 'dist/cli.js',
    banner: { js: '#!/usr/bin/env node' },
    plugins: [executable],
  },
];

if (watch) {
  for (const e of entries) {
    const ctx = await esbuild.context({ ...common, ...e });
    await ctx.watch();
  }
} else {
  await Promise.all(entries.map((e) => esbuild.build({ ...common, ...e })));
}
