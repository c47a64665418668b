'use strict';

/** Stand-ins for a host app's sensitive actions: they answer who asked. */
module.exports = {
  close(ctx) {
    ctx.body = { closed: true, user: ctx.state.user.id };
  },
  exportData(ctx) {
    ctx.body = { exported: true, user: ctx.state.user.id };
  },
};
