/**
 * Progress of a long CLI command (an import, an export, a snapshot freeze): "rows n/N" with a
 * bar, redrawn in place on standard error when it is a terminal, and nothing at all otherwise,
 * so that scripts and logs read only the result lines.
 */

/** What the reporter writes to: process.stderr, or any stream that says whether it is a terminal. */
export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(chunk: string): unknown;
}

export interface Progress {
  /** `done` of `total` rows so far. */
  update(done: number, total: number): void;
  /** Ends the line (if anything was drawn). */
  finish(): void;
}

/** Redraws at most this often, and always at the end: a redraw per row would cost more than the rows. */
const redrawMs = 100;

/** `label [#####.....] rows n/N`, fitted to the terminal's width. */
export function progressLine(label: string, done: number, total: number, columns = 80): string {
  const counts = `rows ${done}/${total}`;
  const width = Math.max(0, Math.min(40, columns - label.length - counts.length - 5));
  if (width < 5) return `${label} ${counts}`;
  const filled = total > 0 ? Math.min(width, Math.round((done / total) * width)) : width;
  return `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${counts}`;
}

export function progressReporter(label: string, stream: ProgressStream = process.stderr, now = () => Date.now()): Progress {
  if (!stream.isTTY) return { update() {}, finish() {} };
  let drawn = false;
  let last = Number.NEGATIVE_INFINITY;
  return {
    update(done, total) {
      const t = now();
      if (done < total && t - last < redrawMs) return;
      last = t;
      drawn = true;
      // \r and erase-line: the bar is redrawn over itself.
      // A pseudo-terminal may say it has 0 columns: assume the usual 80.
      stream.write(`\r\x1b[2K${progressLine(label, done, total, stream.columns || 80)}`);
    },
    finish() {
      if (drawn) stream.write('\n');
      drawn = false;
    },
  };
}
