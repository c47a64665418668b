import type { Core } from '@strapi/strapi';
import { getService } from '../utils/plugin';
import { validateEventsQuery } from './admin-validation';

/** GET /two-factor/events: the audit log. */
export default ({ strapi }: { strapi: Core.Strapi }) => ({
  async find(ctx: any) {
    const query = await validateEventsQuery(ctx.query ?? {});
    return ctx.send(await getService(strapi, 'adminEvents').list(query));
  },
});
