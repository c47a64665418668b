import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startApp, type TestApp } from '../helpers/strapi';

/**
 * The periodic clean-up runs from Strapi's cron (on by default, hourly) and removes only rows no
 * rule can use any more: pending logins past their expiry, enrolments never confirmed in time and
 * send counters whose window ended long ago.
 */
let app: TestApp;
beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => {
  await app?.stop();
});

const JOB = 'two-factor.cleanup';
const cronJob = () => ((app.strapi as any).cron.jobs as { name: string | null; options: unknown; job: any }[]).find((j) => j.name === JOB);

describe('clean-up of expired rows', () => {
  it('is on Strapi cron by default, hourly', () => {
    const scheduled = cronJob();
    expect(scheduled, 'no two-factor job on strapi.cron').toBeDefined();
    expect(scheduled!.options).toEqual({ rule: '23 * * * *' });
    const next: Date = scheduled!.job.nextInvocation();
    expect(next.getTime() - Date.now()).toBeGreaterThan(0);
    expect(next.getTime() - Date.now()).toBeLessThanOrEqual(3600_000);
  });

  it('removes expired pending logins, lapsed enrolments and long-ended send counters, and nothing live', async () => {
    const now = Date.now();
    const challenges = app.strapi.db.query('plugin::two-factor.challenge');
    const factors = app.strapi.db.query('plugin::two-factor.factor');
    const limits = app.strapi.db.query('plugin::two-factor.rate-limit');
    const challenge = (nonce: string, purpose: string, expiresAt: number) =>
      challenges.create({ data: { nonce, purpose, userId: 424242, expiresAt, attempts: 0, sendCount: 0 } });
    await challenge('cleanup-expired-login', 'login', now - 1000);
    await challenge('cleanup-expired-setup', 'setup', now - 1000);
    await challenge('cleanup-live-login', 'login', now + 300_000);
    // One per user and method, reused by every send: kept even when its last code lapsed.
    await challenge('enrol:424242:email', 'enrol', now - 1000);
    await factors.create({ data: { userId: 424242, method: 'totp', secret: 'x', confirmedAt: null, expiresAt: new Date(now - 1000) } });
    await factors.create({ data: { userId: 424242, method: 'email', confirmedAt: null, expiresAt: new Date(now + 300_000) } });
    await factors.create({ data: { userId: 424242, method: 'sms', phone: '+14155550100', confirmedAt: new Date(now - 86_400_000), expiresAt: null } });
    // The default windows are an hour: a counter last started three hours ago is of no use.
    await limits.create({ data: { bucket: 'ip:cleanup-old', hits: 3, windowStart: now - 3 * 3600_000 } });
    await limits.create({ data: { bucket: 'ip:cleanup-fresh', hits: 3, windowStart: now - 60_000 } });

    await cronJob()!.job.invoke();

    const nonces = (await challenges.findMany({ where: { userId: 424242 }, select: ['nonce'] })).map((c: any) => c.nonce).sort();
    expect(nonces).toEqual(['cleanup-live-login', 'enrol:424242:email']);
    const left = (await factors.findMany({ where: { userId: 424242 }, select: ['method'] })).map((f: any) => f.method).sort();
    expect(left).toEqual(['email', 'sms']);
    const buckets = (await limits.findMany({ where: { bucket: { $startsWith: 'ip:cleanup-' } }, select: ['bucket'] })).map((r: any) => r.bucket);
    expect(buckets).toEqual(['ip:cleanup-fresh']);
  });
});
