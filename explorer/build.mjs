// Bundles the explorer: our modules and MapLibre GL JS into one minified script, the CSS into
// one stylesheet, both with content hashes in their names, and index.html pointing at them.
//
//   node build.mjs [OUT_DIR]      (or EXPLORER_OUT_DIR; default: dist)
//
// The segstat binary embeds everything in OUT_DIR: index.html and assets/*.

import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const outDir = resolve(process.argv[2] ?? process.env.EXPLORER_OUT_DIR ?? join(here, 'dist'));
const assetsDir = join(outDir, 'assets');
// The server answers assets here; index.html names them by absolute path so that it works at
// both / and /explorer.
const ASSET_PATH = '/explorer/assets';

await rm(outDir, { recursive: true, force: true });
await mkdir(assetsDir, { recursive: true });

const result = await build({
  entryPoints: { explorer: join(here, 'src/main.js') },
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['es2020'],
  outdir: assetsDir,
  entryNames: '[name]-[hash]',
  legalComments: 'eof',
  metafile: true,
  write: true,
  logLevel: 'warning',
});

const outputs = Object.keys(result.metafile.outputs).map((p) => basename(p));
const script = outputs.find((name) => name.endsWith('.js'));
const style = outputs.find((name) => name.endsWith('.css'));
if (!script || !style) throw new Error(`esbuild wrote ${outputs.join(', ')}: expected one .js and one .css`);

const template = await readFile(join(here, 'src/index.html'), 'utf8');
const html = template
  .replace('{{script}}', `${ASSET_PATH}/${script}`)
  .replace('{{style}}', `${ASSET_PATH}/${style}`);
if (html.includes('{{')) throw new Error('index.html has a placeholder the build does not fill');
await writeFile(join(outDir, 'index.html'), html);
console.log(`explorer: wrote ${outDir}/index.html, assets/${script}, assets/${style}`);
