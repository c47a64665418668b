#!/usr/bin/env node
// Builds what changed, and only that: `node scripts/build.mjs plugin host-admin [--force]`.
//
//   plugin      `strapi-plugin build` (dist/: the server and admin bundles, the frontend client
//               `strapi-plugin-two-factor/client` in dist/client, and their types). The SDK builds
//               every export of package.json, so the client is built here, with the rest.
//   host-admin  `strapi build` in tests/app (the admin panel the host app serves, which bundles
//               the plugin's dist/admin)
//
// Each target hashes its inputs (file paths, sizes and contents) and keeps the hash beside its
// output; when the hash and the output are still there, the build is skipped. `--force` builds anyway.
// A build's own output is shown only when it fails (`--verbose` shows it always).
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const APP = path.join(ROOT, 'tests', 'app');
const bin = (name) => path.join(ROOT, 'node_modules', '.bin', name);
const version = (pkg) => JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')).version;

const TARGETS = {
  plugin: {
    inputs: [
      'server/src',
      'admin/src',
      'client/src',
      'strapi-server.ts',
      'strapi-admin.ts',
      'package.json',
      'tsconfig.base.json',
      'server/tsconfig.json',
      'server/tsconfig.build.json',
      'admin/tsconfig.json',
      'admin/tsconfig.build.json',
      'client/tsconfig.json',
      'client/tsconfig.build.json',
    ],
    extra: () => `sdk-plugin ${version('@strapi/sdk-plugin')}`,
    outputs: [
      'dist/server/index.js',
      'dist/admin/index.js',
      'dist/client/index.js',
      'dist/client/index.mjs',
      'dist/server/src/index.d.ts',
      'dist/admin/src/index.d.ts',
      'dist/client/index.d.ts',
    ],
    stamp: 'dist/.inputs',
    run: () => quietly(bin('strapi-plugin'), ['build'], ROOT),
  },
  'host-admin': {
    inputs: ['dist/admin', 'tests/app/src/admin', 'tests/app/package.json', 'tests/app/config/admin.js', 'package.json'],
    extra: () => `strapi ${version('@strapi/strapi')} admin ${version('@strapi/admin')}`,
    outputs: ['tests/app/build/index.html'],
    stamp: 'tests/app/build/.inputs',
    run: () => quietly(bin('strapi'), ['build'], APP),
  },
};

const verbose = process.argv.includes('--verbose');

/** Runs a build; its output is printed when it fails (or with --verbose), else kept quiet. */
function quietly(cmd, args, cwd) {
  const env = { ...process.env, STRAPI_TELEMETRY_DISABLED: 'true' };
  if (verbose) return execFileSync(cmd, args, { cwd, env, stdio: 'inherit' });
  try {
    execFileSync(cmd, args, { cwd, env, stdio: 'pipe', maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    process.stdout.write(error.stdout ?? '');
    process.stderr.write(error.stderr ?? '');
    console.error(`${cmd} ${args.join(' ')} failed (in ${cwd})`);
    process.exit(error.status || 1);
  }
}

/** Every file under `entries`, sorted, with its content: what the build reads. */
function hashInputs(entries, extra) {
  const hash = createHash('sha256').update(extra);
  const walk = (rel) => {
    const abs = path.join(ROOT, rel);
    if (!fs.existsSync(abs)) return hash.update(`missing ${rel}\n`);
    const stat = fs.statSync(abs);
    if (stat.isDirectory()) {
      for (const name of fs.readdirSync(abs).sort()) if (!name.startsWith('.')) walk(path.join(rel, name));
      return;
    }
    hash.update(`${rel} ${stat.size}\n`).update(fs.readFileSync(abs));
  };
  entries.forEach(walk);
  return hash.digest('hex');
}

const args = process.argv.slice(2);
const force = args.includes('--force');
const names = args.filter((a) => !a.startsWith('--'));
for (const name of names) if (!TARGETS[name]) throw new Error(`Unknown target ${name}: ${Object.keys(TARGETS).join(', ')}`);

for (const name of names) {
  const target = TARGETS[name];
  const stampFile = path.join(ROOT, target.stamp);
  const wanted = hashInputs(target.inputs, target.extra());
  const built = target.outputs.every((file) => fs.existsSync(path.join(ROOT, file)));
  const previous = fs.existsSync(stampFile) ? fs.readFileSync(stampFile, 'utf8').trim() : null;
  if (!force && built && previous === wanted) {
    console.log(`${name}: up to date (inputs unchanged since the last build), not rebuilt`);
    continue;
  }
  const started = Date.now();
  console.log(`${name}: building (${!built ? 'no build yet' : force ? '--force' : 'inputs changed'})`);
  target.run();
  fs.mkdirSync(path.dirname(stampFile), { recursive: true });
  // Hashed again after the build: the plugin build rewrites dist/admin, which host-admin reads.
  fs.writeFileSync(stampFile, `${hashInputs(target.inputs, target.extra())}\n`);
  console.log(`${name}: built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
