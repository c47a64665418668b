import type { Core } from '@strapi/strapi';
import { getService } from '../utils/plugin';
import { validateEventsQuery } from './admin-validation';

/** GET /two-factor/events: the audit log (docs/admin.md; docs/security.md L4). */
export default ({ strapi }: { strapi: Core.Strapi }) => ({
  async find(ctx: any) {
    const query = await validateEventsQuery(ctx.query ?? {});
    return ctx.send(await getService(strapi, 'adminEvents').list(query));
  },
});
