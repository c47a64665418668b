#!/usr/bin/env node
// What `npm run verify` adds to `strapi-plugin verify` (which checks package.json's shape, the
// order of each export's conditions and that the files the exports name exist on disk):
// that the *tarball* holds them, with the LICENSE, the README and every document the README links
// to, and that every link in those documents resolves inside the package (images by absolute URL
// into the repository, each naming a file that exists there).
//
//   node scripts/check-package.mjs                 checks `npm pack --dry-run` of this folder
//   import { packageProblems } from it             checks a file list (the pack suite's tarball)
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The files every tarball must hold, beside those the exports name. */
export const REQUIRED = ['package.json', 'README.md', 'LICENSE'];

/** Where absolute image URLs point: `<raw>/<path in the repository>`. */
export const rawBase = (pkg) => {
  const repo = (pkg.repository?.url ?? '').replace(/^git\+/, '').replace(/\.git$/, '');
  const match = repo.match(/^https:\/\/github\.com\/([^/]+\/[^/]+)$/);
  return match ? `https://raw.githubusercontent.com/${match[1]}/main/` : null;
};

/** Markdown links and images of a document: [{ image, target }]. */
export const linksOf = (markdown) => {
  const withoutCode = markdown.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  return [...withoutCode.matchAll(/(!?)\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => ({ image: m[1] === '!', target: m[2] }));
};

/** Headings of a document as GitHub anchors. */
export const anchorsOf = (markdown) =>
  new Set(
    markdown
      .replace(/```[\s\S]*?```/g, '')
      .split('\n')
      .filter((line) => /^#{1,6} /.test(line))
      .map((line) =>
        line
          .replace(/^#+ /, '')
          .trim()
          .toLowerCase()
          .replace(/[`*_]/g, '')
          .replace(/[^\p{L}\p{N} -]/gu, '')
          .replace(/ /g, '-')
      )
  );

/**
 * Everything wrong with a package whose tarball holds `files` (paths inside the package):
 * `read(file)` gives a packed file's text, `repoHas(file)` whether the repository has a file.
 */
export function packageProblems({ files, pkg, read, repoHas }) {
  const problems = [];
  const has = new Set(files);
  const targets = Object.values(pkg.exports ?? {}).flatMap((entry) =>
    typeof entry === 'string' ? [entry] : Object.entries(entry).filter(([cond]) => cond !== 'source').map(([, file]) => file)
  );
  for (const file of [...REQUIRED, ...targets.map((t) => t.replace(/^\.\//, ''))]) {
    if (!has.has(file)) problems.push(`the tarball lacks ${file}`);
  }
  const raw = rawBase(pkg);
  if (!raw) problems.push('package.json has no GitHub repository URL (images need absolute URLs)');
  for (const doc of files.filter((f) => f.endsWith('.md'))) {
    const text = read(doc);
    for (const { image, target } of linksOf(text)) {
      if (/^(mailto:|#)/.test(target)) {
        if (target.startsWith('#') && !anchorsOf(text).has(target.slice(1))) problems.push(`${doc}: no heading for ${target}`);
        continue;
      }
      if (/^https?:\/\//.test(target)) {
        if (raw && target.startsWith(raw) && !repoHas(target.slice(raw.length))) problems.push(`${doc}: ${target} names no file of the repository`);
        if (image && !(raw && target.startsWith(raw))) problems.push(`${doc}: image ${target} is not in the repository`);
        continue;
      }
      if (image) {
        problems.push(`${doc}: image ${target} must be an absolute URL (${raw ?? 'repository'}…) to show on the npm page`);
        continue;
      }
      const [file, anchor] = target.split('#');
      const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(doc), decodeURI(file)));
      if (!has.has(resolved)) {
        problems.push(`${doc}: ${target} is not in the package`);
      } else if (anchor && resolved.endsWith('.md') && !anchorsOf(read(resolved)).has(anchor)) {
        problems.push(`${doc}: ${target} names no heading of ${resolved}`);
      }
    }
  }
  return problems;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const [report] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts', '--loglevel=error'], { cwd: ROOT, encoding: 'utf8' }));
  const files = report.files.map((f) => f.path);
  const problems = packageProblems({
    files,
    pkg,
    read: (file) => fs.readFileSync(path.join(ROOT, file), 'utf8'),
    repoHas: (file) => fs.existsSync(path.join(ROOT, file)),
  });
  if (problems.length) {
    console.error(`The package is not complete:\n- ${problems.join('\n- ')}`);
    process.exit(1);
  }
  console.log(`The package is complete: ${files.length} files, the exports' bundles and types, ${REQUIRED.join(', ')}, every link resolves.`);
}
