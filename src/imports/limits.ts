/**
 * What an imported file may hold. Each bound sits far above any real register (the widest
 * kind has 8 columns and no field takes more than 300 characters) and far below what would
 * let one upload exhaust the server's memory or time. Rows are not bounded: a file streams
 * through the staging table, so its length costs time and disk, not memory (issue 20,
 * item 3); its bytes are (YUNWANG_IMPORT_LIMIT_BYTES).
 */
export const importLimits = {
  /** Columns holding a value; trailing empty cells do not count. */
  columns: 100,
  /** Characters in one header cell: a real header is a field name and its Chinese alias (under 30). */
  headerChars: 80,
  /** Characters in one data cell. */
  cellChars: 1000,
  /** Characters of the user's input that any error message may quote. */
  excerptChars: 80,
  /** Row errors returned in one refusal; the detail still counts them all. */
  reportedErrors: 200,
  /** Bytes an XLSX may inflate to, all parts together. */
  xlsxInflatedBytes: 256 * 1024 * 1024,
  /** Inflated / compressed, for a part above `xlsxRatioFloorBytes`; real sheets stay well under 50. */
  xlsxRatio: 100,
  xlsxRatioFloorBytes: 1024 * 1024,
} as const;

/** At most `excerptChars` of a text, marked as cut when it was. */
export function excerpt(text: string): string {
  return text.length > importLimits.excerptChars ? `${text.slice(0, importLimits.excerptChars - 1)}…` : text;
}

/** A, B, …, Z, AA, AB, … as spreadsheet programs label columns (index from 0). */
export function columnLetter(index: number): string {
  let n = index + 1;
  let letters = '';
  while (n > 0) {
    const rest = (n - 1) % 26;
    letters = String.fromCharCode(65 + rest) + letters;
    n = Math.floor((n - 1) / 26);
  }
  return letters;
}

/** Gives other requests their turn (see src/kernel/yielding.ts). */
export { yieldEvery as eventLoopYielder } from '../kernel/yielding.ts';
