/** `2026年10月`: how the report names its month. */
export const monthTitle = (month: string) => `${month.slice(0, 4)}年${Number(month.slice(5, 7))}月`;

const escapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
/** Text for the printable HTML report; nothing in a name or title may become markup. */
export const esc = (value: unknown) => String(value ?? '').replace(/[&<>"']/g, (c) => escapes[c] as string);
