// `npm run example`: the host app (tests/app, its SQLite database) with CORS open to the example's
// origin, a demo user, and the sign-in example on its own port. Ctrl-C stops both.
//
//   EXAMPLE_PORT (5173), PORT (1337): the two ports. The example's origin is the CORS origin.
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { startExampleServer } from './server.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const APP_DIR = path.join(ROOT, 'tests', 'app');
const DEMO = { username: 'demo', email: 'demo@example.com', password: 'Demo-Passw0rd!' };

const examplePort = Number(process.env.EXAMPLE_PORT || 5173);
const strapiPort = Number(process.env.PORT || 1337);
const exampleOrigin = `http://127.0.0.1:${examplePort}`;
process.env.CORS_ORIGINS = [process.env.CORS_ORIGINS, exampleOrigin, `http://localhost:${examplePort}`].filter(Boolean).join(',');
process.env.PORT = String(strapiPort);
process.env.STRAPI_TELEMETRY_DISABLED = 'true';

// Strapi as the host app loads it (CommonJS), without the admin panel: the example needs the API only.
const { createStrapi } = createRequire(path.join(APP_DIR, 'package.json'))('@strapi/strapi');
const strapi = await createStrapi({ appDir: APP_DIR, distDir: APP_DIR, autoReload: false, serveAdminPanel: false }).load();

// A demo user (created once) and remembered devices switched on, so every part of the page works.
const users = strapi.db.query('plugin::users-permissions.user');
if (!(await users.findOne({ where: { email: DEMO.email } }))) {
  const role = await strapi.db.query('plugin::users-permissions.role').findOne({ where: { type: 'authenticated' } });
  await strapi.plugin('users-permissions').service('user').add({ ...DEMO, provider: 'local', confirmed: true, blocked: false, role: role.id });
}
const settings = strapi.plugin('two-factor').service('settings');
const current = await settings.get();
if (!current.trustedDevices?.enabled) await settings.update({ ...current, trustedDevices: { enabled: true, days: 30 } });

await strapi.start();
const strapiUrl = `http://127.0.0.1:${strapiPort}`;
const example = await startExampleServer({ port: examplePort, strapiUrl });
console.log(`
  Strapi:        ${strapiUrl}  (CORS open to ${exampleOrigin})
  Sign-in page:  ${example.url}
  Demo user:     ${DEMO.email} / ${DEMO.password}  (sign in, turn on an authenticator app, sign out and in again)
`);

const stop = async () => {
  await example.close();
  await strapi.destroy();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
