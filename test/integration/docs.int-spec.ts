import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(__dirname, '../..');

/** The reference a user reads: the README, docs/ and the examples' READMEs. */
function userDocs(): string[] {
  const docs = readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => join(root, 'docs', name));
  const examples = readdirSync(join(root, 'examples'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(root, 'examples', entry.name, 'README.md')))
    .map((entry) => join(root, 'examples', entry.name, 'README.md'));
  return [join(root, 'README.md'), ...docs, ...examples];
}

/** Markdown links, and backticked file paths, that name a file by a relative path. */
function relativeTargets(text: string): string[] {
  const links = [...text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)].map((m) => m[1]);
  // A backticked relative path names a file when its last part has an extension (`./data` is a setting's value).
  const backticked = [...text.matchAll(/`(\.\.?\/[^`\s]*\.\w+)`/g)].map((m) => m[1]);
  return [...links, ...backticked].filter((target) => !/^[a-z]+:/i.test(target));
}

describe('the user documentation', () => {
  it.each(userDocs().map((file) => [relative(root, file), file]))(
    '%s links only to files inside the repository that exist',
    (_name, file) => {
      const text = readFileSync(file, 'utf8');
      const broken = relativeTargets(text).filter((target) => {
        const path = resolve(dirname(file), target);
        return !path.startsWith(`${root}/`) || !existsSync(path);
      });
      expect(broken).toEqual([]);
    },
  );

  it.each(userDocs().map((file) => [relative(root, file), file]))(
    '%s says what is true now, not how it came to be',
    (_name, file) => {
      const text = readFileSync(file, 'utf8');
      const workLog = text.match(/\b(this|last|next|previous) (round|session|sprint)\b|\bissue \d+\b/gi) ?? [];
      expect(workLog).toEqual([]);
    },
  );
});
