/** Polls until `list()` holds at least `count` items (deliveries arrive asynchronously). */
export async function waitForCount<T>(list: () => T[], count: number, what: string, timeoutMs = 5000): Promise<T[]> {
  const until = Date.now() + timeoutMs;
  while (list().length < count) {
    if (Date.now() > until) throw new Error(`expected ${count} ${what}, got ${list().length}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return list();
}

/** A local TCP port where nothing listens (bound once, then released). */
export async function closedPort(): Promise<number> {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as import('node:net').AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}
