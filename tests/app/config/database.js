const path = require('path');

// DATABASE_CLIENT: sqlite (default), postgres, mysql — see docs/development.md, "The host app".
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
    },
  };
};
