import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
// @ts-expect-error: a plain ES module without types
import { packageProblems } from '../../scripts/check-package.mjs';

/**
 * What `npm run verify` checks beyond `strapi-plugin verify`, on the file list `npm pack` would
 * make now: the exports' files, LICENSE and README are in it, and every link of every packed
 * document resolves inside the package (the marketplace suite checks a real tarball the same way).
 */
const ROOT = path.resolve(__dirname, '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');
const repoHas = (file: string) => fs.existsSync(path.join(ROOT, file));

describe('the package', () => {
  const [report] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts', '--loglevel=error'], { cwd: ROOT, encoding: 'utf8' }));
  const files: string[] = report.files.map((f: { path: string }) => f.path);

  it('packs the documents the README links to, and its links resolve', () => {
    expect(files).toEqual(expect.arrayContaining(['README.md', 'LICENSE', 'package.json', 'docs/configuration.md', 'docs/security.md']));
    // The exports' bundles are checked when they are built (npm test builds them first).
    const problems: string[] = packageProblems({ files, pkg, read, repoHas });
    expect(problems).toEqual([]);
  });

  it('names what is wrong: a missing file, a dead link, a relative image, an unknown heading', () => {
    const docs: Record<string, string> = {
      'README.md': '[a](docs/missing.md) [b](docs/here.md#nowhere) ![c](docs/admin/users.png) [d](#top)\n# Top\n',
      'docs/here.md': '# Here\n',
    };
    const problems: string[] = packageProblems({
      files: ['package.json', 'README.md', 'docs/here.md'],
      pkg,
      read: (file: string) => docs[file],
      repoHas,
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        'the tarball lacks LICENSE',
        'the tarball lacks dist/server/index.js',
        'README.md: docs/missing.md is not in the package',
        'README.md: docs/here.md#nowhere names no heading of docs/here.md',
        expect.stringMatching(/^README\.md: image docs\/admin\/users\.png must be an absolute URL/),
      ])
    );
    expect(problems.some((p) => p.includes('#top'))).toBe(false);
  });

  it('declares where it lives, its licence and the Node versions it is tested on', () => {
    expect(pkg.repository.url).toBe('git+https://github.com/strapi-community/strapi-plugin-two-factor.git');
    expect(pkg.homepage).toMatch(/^https:\/\/github\.com\/strapi-community\/strapi-plugin-two-factor/);
    expect(pkg.license).toBe('MIT');
    expect(read('LICENSE')).toMatch(/^MIT License/);
    expect(pkg.engines.node).toBe('>=20.19.0 <21.0.0');
    expect(pkg.scripts.prepack).toMatch(/build/);
  });
});
