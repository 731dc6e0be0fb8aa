import { writeFile } from 'node:fs/promises';

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
