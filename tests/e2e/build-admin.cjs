#!/usr/bin/env node
'use strict';
/**
 * Builds the host app's admin panel (tests/app/build) with the plugin's built admin bundle, for
 * the browser suite. `strapi build` cannot be used as it is: its CLI looks for tsconfig.json in
 * every parent folder, finds this repository's own, and then treats the JavaScript host app as a
 * TypeScript project ("No inputs were found"). This calls the same build function with no
 * tsconfig, which is what the CLI does for a JavaScript app. (@strapi/strapi 5.54.0 internals.)
 */
const path = require('node:path');

const appDir = path.resolve(__dirname, '..', 'app');
const strapiDir = path.dirname(require.resolve('@strapi/strapi/package.json', { paths: [appDir] }));
const { build } = require(path.join(strapiDir, 'dist/src/node/build.js'));
const { createLogger } = require(path.join(strapiDir, 'dist/src/cli/utils/logger.js'));

process.env.STRAPI_TELEMETRY_DISABLED = 'true';
// Vite resolves the generated entry (.strapi/client) against the working directory.
process.chdir(appDir);
build({
  cwd: appDir,
  logger: createLogger({ debug: false, silent: false, timestamp: false }),
  tsconfig: undefined,
  bundler: 'vite',
  minify: true,
  sourcemap: false,
  stats: false,
  installDeps: false,
}).then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  }
);
