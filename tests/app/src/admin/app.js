// The admin panel offers French and German besides English, so the plugin's translations can be
// seen (Profile > Interface language).
export default {
  config: { locales: ['fr', 'de'] },
  bootstrap() {},
};
