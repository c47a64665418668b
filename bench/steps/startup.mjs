// 4. Start-up: host-app boot time (process start to listening) with vs without the plugin, on a
// database that already has its tables (a restart, not a first install).
import { createDatabase, startServer } from '../lib/app.mjs';
import { median, ms } from '../lib/stats.mjs';

/** Median boot time with and without the plugin, and the first boot (tables made) of each. */
async function boots(count, env) {
  const databases = { on: await createDatabase(), off: await createDatabase() };
  const times = { on: [], off: [] };
  const first = {};
  try {
    for (let round = -1; round < count; round += 1) {
      for (const name of ['on', 'off']) {
        const server = await startServer({ database: databases[name], plugin: name === 'on', env });
        await server.stop();
        if (round < 0) first[name] = server.bootMs;
        else times[name].push(server.bootMs);
      }
    }
  } finally {
    await databases.on.drop();
    await databases.off.drop();
  }
  return { on: median(times.on), off: median(times.off), first };
}

export async function startup(ctx) {
  const { cfg } = ctx;
  const row = (label, result, target) => {
    const diff = result.on - result.off;
    return {
      figure: label,
      measured: `${ms(result.on)} / ${ms(result.off)}; first boot on an empty database ${ms(result.first.on)} / ${ms(result.first.off)}`,
      value: diff,
      shown: `${diff >= 0 ? '+' : ''}${ms(diff)}`,
      target: target ? '≤ +150 ms' : 'info',
      met: target ? diff <= 150 : null,
    };
  };
  const withGraphql = await boots(cfg.boots, {});
  const rows = [row(`Start-up, plugin on − off (median of ${cfg.boots} boots each)`, withGraphql, true)];
  if (cfg.bootsWithoutGraphql) {
    // The graphql plugin builds types for every content type, the plugin's five included.
    const without = await boots(cfg.boots, { GRAPHQL: 'off' });
    rows.push(row('  same, host app without the graphql plugin', without, false));
  }
  return rows;
}
