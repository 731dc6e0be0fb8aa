/**
 * Spreadsheet formula injection (OWASP "CSV injection"): Excel and LibreOffice run a cell
 * whose text begins with one of these as a formula, so every exported text cell that does is
 * written with a leading `'`, which they show as text. Numbers are not text and stay numbers.
 */
const formulaStart = /^[=+\-@\t\r]/;

/** One text value as it may go into a CSV or XLSX cell. */
export function neutraliseFormula(text: string): string {
  return formulaStart.test(text) ? `'${text}` : text;
}

/** Any exported cell: text neutralised, numbers, booleans and empty cells as they are. */
export function exportCell<T>(value: T): T | string {
  return typeof value === 'string' ? neutraliseFormula(value) : value;
}

/** A record of cells (a CSV row keyed by column), each neutralised. */
export function exportRecord(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, exportCell(value)]));
}
