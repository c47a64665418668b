import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * The marketplace install as a newcomer does it:
 * - `pack()`: a clean clone of this repository's HEAD (`git clone`, `npm ci`, `npm pack`: the
 *   package's `prepack` builds it), and the tarball's file list;
 * - `createApp()`: a fresh `create-strapi-app@5.54.0 --js` app outside the repository (scaffolded
 *   and installed once, kept between runs in TWO_FACTOR_PACK_APP_DIR; its own files are put back
 *   as the generator wrote them before each run);
 * - `readmeInstall()`: the commands and configuration of the README's install section, which the
 *   suite then runs word for word (only the package name becomes the tarball's path).
 * Commands' output is kept, and shown only when one fails.
 */
export const ROOT = path.resolve(__dirname, '..', '..');
const WORK = process.env.TWO_FACTOR_PACK_DIR || path.join(os.tmpdir(), 'two-factor-pack');
export const APP_DIR = process.env.TWO_FACTOR_PACK_APP_DIR || path.join(WORK, 'fresh-app');
const STRAPI = '5.54.0';
/** What the generator wrote that a run changes; saved once, restored before each run. */
const PRISTINE = ['config', 'src', '.env', 'package.json', 'package-lock.json'];

const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({ ...process.env, STRAPI_TELEMETRY_DISABLED: 'true', ...extra });

/** Runs a command, keeping its output; throws with that output when it fails. */
export function run(cmd: string, args: string[], cwd: string, extra: NodeJS.ProcessEnv = {}): string {
  try {
    return execFileSync(cmd, args, { cwd, env: env(extra), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  } catch (error: any) {
    throw new Error(`${cmd} ${args.join(' ')} (in ${cwd}) failed with ${error.status}:\n${error.stdout ?? ''}\n${error.stderr ?? ''}`);
  }
}

/** `git clone` of HEAD, `npm ci`, `npm pack`: the tarball and the files it holds. */
export function pack(): { tarball: string; files: string[]; cloneDir: string } {
  const dirty = run('git', ['status', '--porcelain', '--untracked-files=no'], ROOT).trim();
  if (dirty) console.warn(`tests/pack: packing HEAD; uncommitted changes are not in the tarball:\n${dirty}`);
  const cloneDir = path.join(WORK, 'clone');
  fs.rmSync(cloneDir, { recursive: true, force: true });
  fs.mkdirSync(WORK, { recursive: true });
  run('git', ['clone', '--quiet', ROOT, cloneDir], WORK);
  run('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], cloneDir);
  const into = path.join(WORK, 'tarballs');
  fs.rmSync(into, { recursive: true, force: true });
  fs.mkdirSync(into, { recursive: true });
  // stdout holds prepack's build output, then npm's JSON report.
  const output = run('npm', ['pack', '--json', '--pack-destination', into, '--loglevel=error'], cloneDir);
  const json = /(?:^|\n)(\[\s*\{[\s\S]*)$/.exec(output)?.[1];
  if (!json) throw new Error(`npm pack printed no JSON report:\n${output}`);
  const [report] = JSON.parse(json);
  return { tarball: path.join(into, report.filename), files: report.files.map((f: { path: string }) => f.path), cloneDir };
}

/** A fresh `create-strapi-app --js` app with its dependencies installed, as the generator left it. */
export function createApp() {
  const pristine = path.join(APP_DIR, '.pristine');
  const installed = fs.existsSync(path.join(APP_DIR, 'node_modules', '@strapi', 'strapi', 'package.json'));
  const version = installed && JSON.parse(fs.readFileSync(path.join(APP_DIR, 'node_modules', '@strapi', 'strapi', 'package.json'), 'utf8')).version;
  if (!installed || version !== STRAPI || !fs.existsSync(pristine)) {
    fs.rmSync(APP_DIR, { recursive: true, force: true });
    fs.mkdirSync(path.dirname(APP_DIR), { recursive: true });
    run(
      'npx',
      ['--yes', `create-strapi-app@${STRAPI}`, APP_DIR, '--js', '--no-run', '--skip-cloud', '--no-example', '--no-git-init', '--use-npm', '--no-install', '--skip-db', '--non-interactive'],
      path.dirname(APP_DIR)
    );
    run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], APP_DIR);
    fs.mkdirSync(pristine);
    for (const entry of PRISTINE) fs.cpSync(path.join(APP_DIR, entry), path.join(pristine, entry), { recursive: true });
    return;
  }
  for (const entry of PRISTINE) {
    fs.rmSync(path.join(APP_DIR, entry), { recursive: true, force: true });
    fs.cpSync(path.join(pristine, entry), path.join(APP_DIR, entry), { recursive: true });
  }
  for (const dir of ['.tmp', 'dist', 'build', '.strapi', path.join('node_modules', 'strapi-plugin-two-factor')]) {
    fs.rmSync(path.join(APP_DIR, dir), { recursive: true, force: true });
  }
}

export interface ReadmeInstall {
  /** The bash blocks, in order: install the package, set the key, build. */
  commands: string[];
  /** The `config/plugins.js` block and the `config/plugins.ts` one. */
  pluginsJs: string;
  pluginsTs: string;
}

/** The code blocks of the README's install section ("Install into an existing Strapi 5 app"). */
export function readmeInstall(): ReadmeInstall {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## Install into an existing Strapi 5 app');
  if (start < 0) throw new Error('README.md has no "## Install into an existing Strapi 5 app" section');
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  const blocks = [...section.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1], code: m[2] }));
  const one = (lang: string) => {
    const found = blocks.filter((b) => b.lang === lang);
    if (found.length !== 1) throw new Error(`the install section should have one ${lang} block, it has ${found.length}`);
    return found[0].code;
  };
  return { commands: blocks.filter((b) => b.lang === 'bash').map((b) => b.code), pluginsJs: one('js'), pluginsTs: one('ts') };
}

/**
 * "Merge the entry into the file that is there": the README block's `'two-factor'` entry goes
 * into the existing object, and the exported function takes `{ env }` as the block's does.
 */
export function mergePluginsJs(existing: string, block: string): string {
  const entry = /^( {2}'two-factor': \{\n[\s\S]*?\n {2}\},)$/m.exec(block)?.[1];
  if (!entry) throw new Error(`the README's config/plugins.js block has no 'two-factor' entry:\n${block}`);
  if (!/^module\.exports = \(\{ env \}\) => \(\{$/m.test(block)) throw new Error('the README block should export ({ env }) => ({ … })');
  const merged = existing
    .replace(/^module\.exports = \(\) => \(\{$/m, 'module.exports = ({ env }) => ({')
    .replace(/\n\}\);\s*$/, `\n${entry}\n});\n`);
  if (!merged.includes("'two-factor'") || !merged.includes('({ env }) =>')) throw new Error(`could not merge into:\n${existing}`);
  return merged;
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });

export interface Started {
  base: string;
  child: ChildProcess;
  log: () => string;
}

/**
 * `npm run start` in the app on a free port and a fresh database: resolves once it answers, or
 * with `{ exited }` when it stops first (a start that must fail).
 */
export async function start(extra: Record<string, string>): Promise<Started | { exited: number | null; log: string }> {
  fs.rmSync(path.join(APP_DIR, '.tmp'), { recursive: true, force: true });
  const port = await freePort();
  let output = '';
  const child = spawn('npm', ['run', 'start', '--silent'], {
    cwd: APP_DIR,
    env: env({ BROWSER: 'none', HOST: '127.0.0.1', PORT: String(port), ...extra }),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group: npm, strapi and its workers stop together
  });
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 180000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) return { exited: child.exitCode, log: output };
    try {
      if ((await fetch(`${base}/_health`)).status === 204) return { base, child, log: () => output };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  await stop(child);
  throw new Error(`npm run start did not answer within 3 minutes:\n${output}`);
}

export async function stop(child: ChildProcess) {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  process.kill(-child.pid!, 'SIGTERM');
  await exited;
}
