export const PLUGIN_ID = 'two-factor';
