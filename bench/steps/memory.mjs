// 5. Memory: resident memory of the server before and after many full 2FA logins.
import { passwordLogin, verify } from '../lib/flows.mjs';
import { pool } from '../lib/http.mjs';
import { mb } from '../lib/stats.mjs';

const logins = (ctx, count) =>
  pool(count, ctx.cfg.memoryConcurrency, async () => {
    const { user, code } = await ctx.cheapBook.next();
    const { mfaToken } = await passwordLogin(ctx.servers.on.url, user.email);
    await verify(ctx.servers.on.url, mfaToken, code);
  });

export async function memory(ctx) {
  const { cfg, servers } = ctx;
  await logins(ctx, cfg.memoryWarmup);
  const before = await servers.on.memory();
  const started = performance.now();
  await logins(ctx, cfg.memoryLogins);
  const seconds = (performance.now() - started) / 1000;
  const after = await servers.on.memory();
  const rss = after.rss - before.rss;
  const heap = after.heapUsed - before.heapUsed;
  // Noise: a few MB of allocator and JIT churn. A per-login leak of even 500 bytes would pass 5 MB
  // of live heap over 10 000 logins.
  const heapLimit = 5 * 1048576;
  const rssLimit = Math.max(16 * 1048576, before.rss * 0.1);
  return [
    {
      figure: `Memory over ${cfg.memoryLogins} full 2FA logins (RSS; heap after GC)`,
      measured: `RSS ${mb(before.rss)} → ${mb(after.rss)}; heap ${mb(before.heapUsed)} → ${mb(after.heapUsed)}; ${(cfg.memoryLogins / seconds).toFixed(0)} logins/s`,
      value: rss,
      shown: `RSS ${rss >= 0 ? '+' : ''}${mb(rss)}, heap ${heap >= 0 ? '+' : ''}${mb(heap)}`,
      target: `heap ≤ +5 MB, RSS ≤ +${mb(rssLimit)}`,
      met: heap <= heapLimit && rss <= rssLimit,
    },
  ];
}
