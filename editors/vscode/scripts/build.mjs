// Bundles the extension (src/extension.ts and vscode-languageclient) into
// dist/extension.js with esbuild: the .vsix then ships one file and no
// node_modules. `vscode` is provided by the editor. Also bundles
// src/server.ts alone into dist/server.js for the unit tests.
import { build } from 'esbuild';

const common = { bundle: true, platform: 'node', format: 'cjs', target: 'node18', logLevel: 'warning' };
await build({ ...common, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'], minify: true });
await build({ ...common, entryPoints: ['src/server.ts'], outfile: 'dist/server.js' });
