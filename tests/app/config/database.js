const path = require('path');

// DATABASE_CLIENT: sqlite (default), postgres, mysql — see docs/development.md, "The host app".
// knex's own warnings go to Strapi's log (with the rest of what the app logs) instead of the console.
const log = {
  warn: (message) => (global.strapi?.log ? global.strapi.log.warn(`knex: ${message}`) : console.warn(message)),
};

module.exports = ({ env }) => {
  const client = env('DATABASE_CLIENT', 'sqlite');
  const pool = { min: env.int('DATABASE_POOL_MIN', 0), max: env.int('DATABASE_POOL_MAX', 10) };

  if (client === 'sqlite') {
    return {
      connection: {
        client: 'sqlite',
        connection: {
          filename: path.resolve(__dirname, '..', env('DATABASE_FILENAME', '.tmp/data.db')),
        },
        useNullAsDefault: true,
        log,
      },
    };
  }

  const defaults = {
    postgres: { port: 5432, user: 'postgres' },
    mysql: { port: 3306, user: 'root' },
  }[client];
  if (!defaults) throw new Error(`Unknown DATABASE_CLIENT "${client}" (sqlite, postgres or mysql)`);

  return {
    connection: {
      client,
      connection: env('DATABASE_URL')
        ? { connectionString: env('DATABASE_URL') }
        : {
            host: env('DATABASE_HOST', '127.0.0.1'),
            port: env.int('DATABASE_PORT', defaults.port),
            database: env('DATABASE_NAME', 'test'),
            user: env('DATABASE_USERNAME', defaults.user),
            password: env('DATABASE_PASSWORD', ''),
            ...(client === 'postgres' ? { schema: env('DATABASE_SCHEMA', 'public') } : {}),
          },
      pool,
      acquireConnectionTimeout: 60000,
      log,
    },
  };
};
