/**
 * The repository stands on its own: a clone anywhere has everything its files
 * refer to. No file points outside it (the team's notes beside the checkout are
 * not part of a clone), and every repository path a document names exists.
 */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const tracked = execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' }).split('\0').filter(Boolean);
const TEXT = /\.(ts|tsx|js|mjs|cjs|json|md|yml|yaml|sql|sh|toml|css|html|nsh|ps1|xml|admx|adml|mobileconfig|reg)$/;
const textFiles = tracked.filter((file) => TEXT.test(file) && file !== 'package-lock.json' && existsSync(join(root, file)));
const markdown = textFiles.filter((file) => file.endsWith('.md'));

/** Top-level folders whose paths documents name, relative to the repository root. */
const REPO_FOLDERS = ['main', 'preload', 'renderer', 'preview', 'tools', 'test', 'supabase', 'scripts', 'bench', 'build', 'docs', '.ci', '.github'];

describe('the repository is self-contained', () => {
  it('no file refers to the notes outside the repository', () => {
    const outside = /\.\.\/shared\/|\bshared\/(reference|seeds)\/|\bDESIGN\.md\b/;
    const offenders = textFiles.flatMap((file) =>
      readFileSync(join(root, file), 'utf8')
        .split('\n')
        .flatMap((line, index) => (outside.test(line) && file !== 'test/repo-self-contained.test.ts' ? [`${file}:${index + 1}: ${line.trim()}`] : [])),
    );
    expect(offenders).toEqual([]);
  });

  it('every relative link in a document points at a file that exists', () => {
    const missing: string[] = [];
    for (const file of markdown) {
      for (const match of readFileSync(join(root, file), 'utf8').matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = match[1]!.split('#')[0]!;
        if (!target || /^[a-z]+:/i.test(target)) continue; // anchors, http(s), mailto
        if (!existsSync(normalize(join(root, dirname(file), target)))) missing.push(`${file}: ${match[1]}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('every repository path a document names in backticks exists', () => {
    const missing: string[] = [];
    for (const file of markdown) {
      for (const match of readFileSync(join(root, file), 'utf8').matchAll(/`([^`\s]+)`/g)) {
        const path = match[1]!.replace(/[:#].*$/, '').replace(/\/$/, '');
        const top = path.split('/')[0]!;
        if (!REPO_FOLDERS.includes(top) || !path.includes('/') || /[*{}<>$…]|\.\.\./.test(path)) continue;
        if (!existsSync(join(root, path))) missing.push(`${file}: ${match[1]}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
