// CORS_ORIGINS (comma-separated): frontends on other origins that may call the API with the
// plugin's cookies, as docs/client.md sets it up (the sign-in example and its browser test use it).
const cors = (env) => {
  const origins = env.array('CORS_ORIGINS', []);
  if (!origins.length) return 'strapi::cors';
  return {
    name: 'strapi::cors',
    config: {
      origin: origins,
      credentials: true,
      headers: ['Content-Type', 'Authorization', 'Origin', 'Accept', 'X-Two-Factor-Code', 'X-Two-Factor-Method'],
      expose: ['Retry-After'],
    },
  };
};

module.exports = ({ env }) => [
  'strapi::logger',
  'strapi::errors',
  'strapi::security',
  cors(env),
  'strapi::poweredBy',
  'strapi::query',
  'strapi::body',
  'strapi::session',
  'strapi::favicon',
  'strapi::public',
];
