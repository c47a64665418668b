import type { Core } from '@strapi/strapi';
import { getService } from '../utils/plugin';
import { validateSettings } from './admin-validation';

/** GET/PUT /two-factor/settings. */
export default ({ strapi }: { strapi: Core.Strapi }) => ({
  async find(ctx: any) {
    return ctx.send(await getService(strapi, 'adminSettings').view());
  },

  async update(ctx: any) {
    const change = await validateSettings(ctx.request.body);
    return ctx.send(await getService(strapi, 'adminSettings').update(change));
  },
});
