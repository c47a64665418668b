/** Polls until `list()` holds at least `count` items (deliveries arrive asynchronously). */
export async function waitForCount<T>(list: () => T[], count: number, what: string, timeoutMs = 5000): Promise<T[]> {
  const until = Date.now() + timeoutMs;
  while (list().length < count) {
    if (Date.now() > until) throw new Error(`expected ${count} ${what}, got ${list().length}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return list();
}
