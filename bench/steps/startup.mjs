// 4. Start-up: host-app boot time (process start to listening) with vs without the plugin, on a
// database that already has its tables (a restart, not a first install).
import { createDatabase, startServer } from '../lib/app.mjs';
import { median, ms } from '../lib/stats.mjs';

export async function startup(ctx) {
  const { cfg } = ctx;
  const databases = { on: await createDatabase(), off: await createDatabase() };
  const boots = { on: [], off: [] };
  const first = {};
  try {
    for (let round = -1; round < cfg.boots; round += 1) {
      for (const name of ['on', 'off']) {
        const server = await startServer({ database: databases[name], plugin: name === 'on' });
        await server.stop();
        if (round < 0) first[name] = server.bootMs;
        else boots[name].push(server.bootMs);
      }
    }
  } finally {
    await databases.on.drop();
    await databases.off.drop();
  }
  const diff = median(boots.on) - median(boots.off);
  return [
    {
      figure: `Start-up, plugin on − off (median of ${cfg.boots} boots each)`,
      measured: `${ms(median(boots.on))} / ${ms(median(boots.off))}; first boot on an empty database ${ms(first.on)} / ${ms(first.off)}`,
      value: diff,
      shown: `${diff >= 0 ? '+' : ''}${ms(diff)}`,
      target: '≤ +150 ms',
      met: diff <= 150,
    },
  ];
}
