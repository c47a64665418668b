import { fork, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import request from 'supertest';

/** A free loopback port. */
export const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });

export interface AppProcess {
  url: string;
  http: () => ReturnType<typeof request>;
  stop(): Promise<void>;
}

/** What a host-app process printed: kept, not shown (the output of a failed start is in its error). */
const keepOutput = (child: ChildProcess) => {
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  if (process.env.TEST_LOGS === 'all') {
    child.stdout?.pipe(process.stdout);
    child.stderr?.pipe(process.stderr);
  }
  return () => output;
};

/**
 * Starts the host app as a child process with `env`: resolves `{ ready: true }` once it listens,
 * or `{ ready: false, code, output }` when it exits first (a start that must fail).
 */
export async function tryAppProcess(
  env: Record<string, string | undefined>
): Promise<{ ready: true; app: AppProcess; output: () => string } | { ready: false; code: number | null; output: string }> {
  const port = await freePort();
  const vars: Record<string, string | undefined> = {
    ...process.env,
    NODE_ENV: 'test',
    STRAPI_TELEMETRY_DISABLED: 'true',
    USERS_PERMISSIONS_RATELIMIT: 'off',
    LOG_LEVEL: 'warn',
    TWO_FACTOR_ENCRYPTION_KEY: 'test-encryption-key-0123456789abcdef',
    HOST: '127.0.0.1',
    PORT: String(port),
    ...env,
  };
  // undefined removes a variable (a child would otherwise see the string "undefined").
  for (const [k, v] of Object.entries(vars)) if (v === undefined) delete vars[k];
  const child: ChildProcess = fork(path.join(__dirname, 'serve.cjs'), [], {
    env: vars as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const output = keepOutput(child);
  const started = await new Promise<{ ready: true } | { ready: false; code: number | null }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the app process did not start in 120 s:\n${output()}`)), 120_000);
    child.once('message', () => {
      clearTimeout(timer);
      resolve({ ready: true });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ ready: false, code });
    });
  });
  if (!started.ready) return { ready: false, code: started.code, output: output() };
  const url = `http://127.0.0.1:${port}`;
  const app: AppProcess = {
    url,
    http: () => request(url),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
  return { ready: true, app, output };
}

/** Starts the host app as a child process with `env` and resolves once it listens. */
export async function startAppProcess(env: Record<string, string>): Promise<AppProcess> {
  const started = await tryAppProcess(env);
  if (!started.ready) throw new Error(`the app process exited with ${started.code}:\n${started.output}`);
  return started.app;
}
