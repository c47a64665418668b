'use strict';
// Runs the host app as its own process (for tests that need several servers on one database).
// The parent passes the environment (PORT, DATABASE_*, …) and waits for the "ready" message.
const path = require('path');
const appDir = path.resolve(__dirname, '..', 'app');
const { createStrapi } = require(require.resolve('@strapi/strapi', { paths: [appDir] }));

createStrapi({ appDir, distDir: appDir, autoReload: false, serveAdminPanel: false })
  .load()
  .then((strapi) => strapi.listen())
  .then(() => process.send && process.send('ready'))
  .catch((error) => {
    console.error(error);
    process.exit(1);
  });
