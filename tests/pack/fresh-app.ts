import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * A fresh Strapi 5 JavaScript app outside this repository (a parent tsconfig.json would make
 * Strapi's CLI treat it as TypeScript), with only what `create-strapi-app --js` gives that the
 * plugin needs. Its base dependencies are installed once and kept between runs
 * (TWO_FACTOR_PACK_APP_DIR to choose the folder); the plugin tarball is installed every run.
 */
export const ROOT = path.resolve(__dirname, '..', '..');
export const APP_DIR = process.env.TWO_FACTOR_PACK_APP_DIR || path.join(os.tmpdir(), 'two-factor-pack-app');

const STRAPI = '5.54.0';
const PACKAGE = {
  name: 'fresh-strapi-app',
  private: true,
  version: '0.0.0',
  scripts: { build: 'strapi build', start: 'strapi start' },
  dependencies: {
    '@strapi/plugin-users-permissions': STRAPI,
    '@strapi/strapi': STRAPI,
    'better-sqlite3': '12.6.2',
    react: '^18.3.1',
    'react-dom': '^18.3.1',
    'react-router-dom': '^6.30.3',
    'styled-components': '^6.1.0',
  },
  strapi: { uuid: 'fresh-strapi-app' },
};

const FILES: Record<string, string> = {
  'config/database.js': `const path = require('path');
module.exports = () => ({ connection: { client: 'sqlite', connection: { filename: path.join(__dirname, '..', '.tmp', 'data.db') }, useNullAsDefault: true } });
`,
  'config/server.js': `module.exports = ({ env }) => ({ host: env('HOST', '127.0.0.1'), port: env.int('PORT', 1337), app: { keys: ['freshKeyOne', 'freshKeyTwo'] }, cron: { enabled: false } });
`,
  'config/admin.js': `module.exports = () => ({ auth: { secret: 'fresh-admin-jwt-secret' }, apiToken: { salt: 'fresh-api-token-salt' }, transfer: { token: { salt: 'fresh-transfer-salt' } }, secrets: { encryptionKey: 'fresh-admin-encryption-key' }, flags: { nps: false, promoteEE: false } });
`,
  'config/middlewares.js': `module.exports = ['strapi::logger', 'strapi::errors', 'strapi::security', 'strapi::cors', 'strapi::poweredBy', 'strapi::query', 'strapi::body', 'strapi::session', 'strapi::favicon', 'strapi::public'];
`,
  // What the README tells an operator to write: enable the plugin by its name, give it a key.
  'config/plugins.js': `module.exports = ({ env }) => ({
  'users-permissions': { config: { jwtSecret: 'fresh-users-permissions-secret', ratelimit: { enabled: false } } },
  'two-factor': { enabled: true, config: { encryptionKey: env('TWO_FACTOR_ENCRYPTION_KEY') } },
});
`,
  'src/index.js': `module.exports = {
  register() {},
  async bootstrap({ strapi }) {
    const { ADMIN_EMAIL: email, ADMIN_PASSWORD: password } = process.env;
    if (!email || !password || (await strapi.service('admin::user').exists())) return;
    const role = await strapi.service('admin::role').getSuperAdmin();
    await strapi.service('admin::user').create({ email, firstname: 'Fresh', lastname: 'Admin', password, registrationToken: null, isActive: true, roles: [role.id] });
  },
};
`,
  'public/uploads/.gitkeep': '',
  'favicon.png': '',
};

const run = (cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) =>
  execFileSync(cmd, args, { cwd, stdio: 'inherit', env: { ...process.env, STRAPI_TELEMETRY_DISABLED: 'true', ...env } });

/** `npm pack` of this repository (its dist/ must be built): the tarball's path. */
export function pack(into: string): string {
  fs.mkdirSync(into, { recursive: true });
  const name = execFileSync('npm', ['pack', '--pack-destination', into, '--loglevel=error'], { cwd: ROOT, encoding: 'utf8' })
    .trim()
    .split('\n')
    .pop()!;
  return path.join(into, name);
}

/** Writes the app, installs its base dependencies (once), then the tarball, then builds its admin. */
export function prepare(tarball: string) {
  fs.mkdirSync(APP_DIR, { recursive: true });
  const pkgFile = path.join(APP_DIR, 'package.json');
  const current = fs.existsSync(pkgFile) ? JSON.parse(fs.readFileSync(pkgFile, 'utf8')) : null;
  const same = current && Object.entries(PACKAGE.dependencies).every(([name, version]) => current.dependencies?.[name] === version);
  if (!same || !fs.existsSync(path.join(APP_DIR, 'node_modules', '@strapi', 'strapi'))) {
    fs.writeFileSync(pkgFile, JSON.stringify(PACKAGE, null, 2));
    run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], APP_DIR);
  }
  for (const [file, content] of Object.entries(FILES)) {
    fs.mkdirSync(path.dirname(path.join(APP_DIR, file)), { recursive: true });
    fs.writeFileSync(path.join(APP_DIR, file), content);
  }
  const local = path.join(APP_DIR, path.basename(tarball));
  fs.copyFileSync(tarball, local);
  // Exactly what the README says: npm install ./strapi-plugin-two-factor-x.y.z.tgz
  run('npm', ['install', `./${path.basename(tarball)}`, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], APP_DIR);
  run(path.join(APP_DIR, 'node_modules', '.bin', 'strapi'), ['build'], APP_DIR);
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });

/** `strapi start` on a free port and a fresh database; resolves once it answers. */
export async function start(env: Record<string, string>): Promise<{ base: string; child: ChildProcess; log: () => string }> {
  fs.rmSync(path.join(APP_DIR, '.tmp'), { recursive: true, force: true });
  const port = await freePort();
  let output = '';
  const child = spawn(path.join(APP_DIR, 'node_modules', '.bin', 'strapi'), ['start'], {
    cwd: APP_DIR,
    env: { ...process.env, NODE_ENV: 'production', STRAPI_TELEMETRY_DISABLED: 'true', BROWSER: 'none', PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 180000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`strapi start exited ${child.exitCode}:\n${output}`);
    try {
      if ((await fetch(`${base}/_health`)).status === 204) return { base, child, log: () => output };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  child.kill();
  throw new Error(`strapi start did not answer within 3 minutes:\n${output}`);
}
