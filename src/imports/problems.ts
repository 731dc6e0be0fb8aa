import type { FieldError } from '../kernel/errors.ts';
import { importLimits } from './limits.ts';

/**
 * The problems of a file being imported, in bounded memory however many there are: every one
 * is counted, and the first `importLimits.reportedErrors` by row (then by when found) are kept
 * for the answer. Rows are counted by whoever adds their problems, as each source knows which
 * rows it has already named.
 */
export class Problems {
  /** Every problem found. */
  total = 0;
  /** Rows named by at least one problem. */
  rows = 0;
  private kept: { error: FieldError; seq: number }[] = [];
  private seq = 0;

  /** Problems of `newRows` rows not named before. */
  add(errors: readonly FieldError[], newRows: number): void {
    this.rows += newRows;
    for (const error of errors) {
      this.total++;
      this.kept.push({ error, seq: this.seq++ });
    }
    // Cut back now and then rather than on every add: sorting is paid once per cap's worth.
    if (this.kept.length > 4 * importLimits.reportedErrors) this.trim();
  }

  /** Problems of rows each named once: one row per distinct `row` among them. */
  addRows(errors: readonly FieldError[]): void {
    this.add(errors, new Set(errors.map((e) => e.row)).size);
  }

  get empty(): boolean {
    return this.total === 0;
  }

  /** The kept problems, first rows first (those found first, on one row). */
  shown(): FieldError[] {
    this.trim();
    return this.kept.map((k) => k.error);
  }

  private trim(): void {
    this.kept.sort((a, b) => (a.error.row ?? 0) - (b.error.row ?? 0) || a.seq - b.seq);
    this.kept.length = Math.min(this.kept.length, importLimits.reportedErrors);
  }
}
