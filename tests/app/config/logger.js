'use strict';

// LOG_LEVEL quiets the host app (the tests set it to warn); Strapi's default is 'http'.
module.exports = () => ({ level: process.env.LOG_LEVEL || 'http' });
