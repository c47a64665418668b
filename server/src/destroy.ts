import type { Core } from '@strapi/strapi';

// Nothing is kept in process memory between requests (every rule lives in the database).
export default (_: { strapi: Core.Strapi }) => {};
