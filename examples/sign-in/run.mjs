// `npm run example`: the host app (tests/app, its SQLite database) with CORS open to the example's
// origin, passkeys for that origin, a demo user, and the sign-in example on its own port. Ctrl-C stops both.
//
//   EXAMPLE_PORT (5173), PORT (1337): the two ports. The example's origin is the CORS origin and the
//   passkeys' origin; both are on `localhost` (a passkey's RP ID is a domain name, never an IP address).
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { startExampleServer } from './server.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const APP_DIR = path.join(ROOT, 'tests', 'app');
const DEMO = { username: 'demo', email: 'demo@example.com', password: 'Demo-Passw0rd!' };

const examplePort = Number(process.env.EXAMPLE_PORT || 5173);
const strapiPort = Number(process.env.PORT || 1337);
const exampleOrigin = `http://localhost:${examplePort}`;
process.env.CORS_ORIGINS = [process.env.CORS_ORIGINS, exampleOrigin, `http://127.0.0.1:${examplePort}`].filter(Boolean).join(',');
// The page runs the passkey ceremonies: its origin is the one the plugin accepts, for the RP ID localhost.
process.env.TWO_FACTOR_PASSKEY_RP_ID ||= 'localhost';
process.env.TWO_FACTOR_PASSKEY_ORIGINS ||= exampleOrigin;
process.env.PORT = String(strapiPort);
process.env.STRAPI_TELEMETRY_DISABLED = 'true';

// Strapi as the host app loads it (CommonJS), without the admin panel: the example needs the API only.
const { createStrapi } = createRequire(path.join(APP_DIR, 'package.json'))('@strapi/strapi');
const strapi = await createStrapi({ appDir: APP_DIR, distDir: APP_DIR, autoReload: false, serveAdminPanel: false }).load();

// A demo user (created once), remembered devices and passkeys (passwordless sign-in too) switched on,
// so every part of the page works.
const users = strapi.db.query('plugin::users-permissions.user');
if (!(await users.findOne({ where: { email: DEMO.email } }))) {
  const role = await strapi.db.query('plugin::users-permissions.role').findOne({ where: { type: 'authenticated' } });
  await strapi.plugin('users-permissions').service('user').add({ ...DEMO, provider: 'local', confirmed: true, blocked: false, role: role.id });
}
const settings = strapi.plugin('two-factor').service('settings');
const current = await settings.get();
if (!current.trustedDevices?.enabled || !current.methods?.passkey || !current.passkeys?.passwordless) {
  await settings.update({
    ...current,
    trustedDevices: current.trustedDevices?.enabled ? current.trustedDevices : { enabled: true, days: 30 },
    methods: { ...current.methods, passkey: true },
    passkeys: { ...current.passkeys, passwordless: true },
  });
}

await strapi.start();
// Both on localhost: one site, so the browser sends Strapi's cookies (the pending login, the remembered device).
const strapiUrl = `http://localhost:${strapiPort}`;
const example = await startExampleServer({ port: examplePort, host: 'localhost', strapiUrl, passkeys: 'passwordless' });
console.log(`
  Strapi:        ${strapiUrl}  (CORS open to ${exampleOrigin}, passkeys for it)
  Sign-in page:  ${example.url}
  Demo user:     ${DEMO.email} / ${DEMO.password}  (sign in, turn on an authenticator app or add a passkey, sign out and in again)
`);

const stop = async () => {
  await example.close();
  await strapi.destroy();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
