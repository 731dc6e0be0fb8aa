import { readFile, writeFile } from 'node:fs/promises';

/** The p-th percentile (nearest rank) of some timings. */
export const percentile = (xs: number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
};

export const ms = (x: number) => `${x.toFixed(1)} ms`;

/** A results page: each line printed as it comes, and the whole written to `file` at the end. */
export function resultsPage(file: URL) {
  const lines: string[] = [];
  return {
    say(line: string) {
      console.log(line);
      lines.push(line);
    },
    write: () => writeFile(file, `${lines.join('\n')}\n`),
  };
}

/**
 * One section of a results page that several runs share (one per scale): printed as it comes,
 * then written between its markers, the other sections kept as they were.
 */
export function resultsSection(file: URL, key: string) {
  const lines: string[] = [];
  const begin = `<!-- begin ${key} -->`;
  const end = `<!-- end ${key} -->`;
  return {
    say(line: string) {
      console.log(line);
      lines.push(line);
    },
    async write() {
      const old = await readFile(file, 'utf8').catch(() => '');
      const section = `${begin}\n${lines.join('\n')}\n${end}`;
      const from = old.indexOf(begin);
      const to = old.indexOf(end);
      const next =
        from !== -1 && to > from
          ? `${old.slice(0, from)}${section}${old.slice(to + end.length)}`
          : `${old.trimEnd()}${old ? '\n\n' : ''}${section}\n`;
      await writeFile(file, next);
    },
  };
}
