import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { describe, it, expect } from 'vitest';

/**
 * The examples of docs/client.md compile against the client as it is: the plain TypeScript
 * sign-in and the React hook, type-checked with the package name mapped to client/src.
 */
const ROOT = path.resolve(__dirname, '..', '..');
const doc = fs.readFileSync(path.join(ROOT, 'docs', 'client.md'), 'utf8');

/** The first ```ts or ```tsx block under a heading. */
const blockUnder = (heading: string) => {
  const section = doc.split(/^## /m).find((s) => s.startsWith(heading));
  const match = section?.match(/```(tsx?)\n([\s\S]*?)```/);
  if (!match) throw new Error(`docs/client.md has no code block under "${heading}"`);
  return { ext: match[1], code: match[2] };
};

describe('docs/client.md examples', () => {
  it.each(['A plain TypeScript sign-in', 'A React hook'])('%s type-checks', (heading) => {
    const { ext, code } = blockUnder(heading);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'client-doc-'));
    const file = path.join(dir, `example.${ext}`);
    fs.writeFileSync(file, code);
    try {
      const program = ts.createProgram([file], {
        strict: true,
        noEmit: true,
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.ESNext,
        moduleResolution: ts.ModuleResolutionKind.Bundler,
        jsx: ts.JsxEmit.ReactJSX,
        lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
        types: [],
        typeRoots: [path.join(ROOT, 'node_modules', '@types')],
        baseUrl: ROOT,
        paths: { 'strapi-plugin-two-factor/client': ['client/src/index.ts'], react: ['node_modules/@types/react'] },
        skipLibCheck: true,
      });
      const problems = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      expect(problems).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
