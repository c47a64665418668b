// The sign-in example's own web server, on another origin than Strapi: it bundles main.ts with
// esbuild (the client comes from the package's build, dist/client; @simplewebauthn/browser is
// bundled in) and serves the page.
//
//   node examples/sign-in/server.mjs          serves on EXAMPLE_PORT (5173), for Strapi at STRAPI_URL (http://127.0.0.1:1337)
//   import { startExampleServer } from it     the browser test's way (port 0, its Strapi's URL)
// Passkeys need the page on a domain name (an RP ID is never an IP address): `npm run example`
// serves it on `localhost` (host option).
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
const CLIENT = path.join(ROOT, 'dist', 'client', 'index.mjs');

/** main.ts as one ES module, with `strapi-plugin-two-factor/client` resolved to the package's ESM build. */
export async function bundle() {
  if (!fs.existsSync(CLIENT)) throw new Error(`${path.relative(ROOT, CLIENT)} is missing: run \`node scripts/build.mjs plugin\` first`);
  const result = await build({
    entryPoints: [path.join(HERE, 'main.ts')],
    bundle: true,
    format: 'esm',
    target: 'es2020',
    write: false,
    logLevel: 'silent',
    alias: { 'strapi-plugin-two-factor/client': CLIENT },
  });
  return result.outputFiles[0].text;
}

/**
 * Serves the page on `port` (0: any free one) of `host`. `strapiUrl` is where the page's client
 * calls: a string, or a function read at each page load (a test knows it only after the page's origin).
 * `passkeys` is what the site offers, as its operator set it: false (none), true (adding them and
 * the second step), 'passwordless' (also "Sign in with a passkey").
 */
export async function startExampleServer({ port = 5173, host = '127.0.0.1', strapiUrl, passkeys = false }) {
  const files = {
    '/': { type: 'text/html; charset=utf-8', body: fs.readFileSync(path.join(HERE, 'index.html'), 'utf8') },
    '/main.js': { type: 'text/javascript; charset=utf-8', body: await bundle() },
    '/config.js': {
      type: 'text/javascript; charset=utf-8',
      body: () =>
        `window.STRAPI_URL = ${JSON.stringify(typeof strapiUrl === 'function' ? strapiUrl() : strapiUrl)};\n` +
        `window.PASSKEYS = ${JSON.stringify(passkeys)};\n`,
    },
  };
  const server = http.createServer((req, res) => {
    const file = files[new URL(req.url ?? '/', 'http://x').pathname];
    if (!file || req.method !== 'GET') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
      return;
    }
    res.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-store' }).end(typeof file.body === 'function' ? file.body() : file.body);
  });
  await new Promise((resolve, reject) => server.once('error', reject).listen(port, host, resolve));
  const url = `http://${host}:${server.address().port}`;
  return {
    url,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const example = await startExampleServer({
    port: Number(process.env.EXAMPLE_PORT || 5173),
    strapiUrl: process.env.STRAPI_URL || 'http://127.0.0.1:1337',
    passkeys: process.env.EXAMPLE_PASSKEYS === 'passwordless' ? 'passwordless' : process.env.EXAMPLE_PASSKEYS === 'true',
  });
  console.log(`Sign-in example: ${example.url}`);
}
