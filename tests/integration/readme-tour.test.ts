import { describe, it, expect, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { startAppProcess, type AppProcess } from '../helpers/process';

/**
 * The README's 60-second tour, run as a newcomer runs it: its walkthrough block, word
 * for word in bash, against the host app started as its own process. The only change is the
 * address: the app listens on a free port instead of 1337.
 */
const ROOT = path.resolve(__dirname, '..', '..');
let app: AppProcess | undefined;
let database: TestDatabase | undefined;

afterAll(async () => {
  await app?.stop();
  await database?.drop();
});

const tourBlocks = () => {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## A 60-second tour');
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
  return [...section.matchAll(/```bash\n([\s\S]*?)```/g)].map((m) => m[1]);
};

describe("the README's tour", () => {
  it('starts with the two commands, npm install && npm start, then npm test', () => {
    const [commands] = tourBlocks();
    expect(commands).toMatch(/^npm install && npm start\b/m);
    expect(commands).toMatch(/^npm test\b/m);
  });

  it('walks a new user to a second-factor login with curl and node only', async () => {
    const walkthrough = tourBlocks()[1];
    expect(walkthrough).toContain('API=http://127.0.0.1:1337/api');
    expect(walkthrough).not.toMatch(/\bjq\b/);
    database = await createTestDatabase();
    app = await startAppProcess(database.env);
    const output = execFileSync('bash', ['-euo', 'pipefail', '-c', walkthrough.replace('http://127.0.0.1:1337', app.url)], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    });
    const lines = output.trim().split('\n');
    // Step 3 printed the confirmation with the backup codes, step 5 the signed-in user's name.
    expect(JSON.parse(lines[0])).toMatchObject({ enabled: true, methods: ['totp'], backupCodes: expect.any(Array) });
    expect(lines[lines.length - 1]).toBe('ada');
  }, 90_000);
});
