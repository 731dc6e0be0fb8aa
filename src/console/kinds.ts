import { AppError } from '../kernel/errors.ts';
import { type AnyRecordKind, type ColumnSpec, recordKinds } from '../registry/kinds/index.ts';
import { type Lang, valueName } from './i18n.ts';

/**
 * The console's view of the record kinds: which ones a department keeps in its workspace and
 * which ones a reviewer certifies, with their names, all read from the kinds' descriptors so a
 * new kind appears on these pages without touching them.
 */

/** The kinds a department owns and keeps in its workspace (departments themselves have no owner). */
export const ownedKinds = (): AnyRecordKind[] => recordKinds().filter((kind) => kind.ownerColumn !== undefined);

/** The kinds whose classification a reviewer certifies (认定). */
export const certifiedKinds = (): AnyRecordKind[] => recordKinds().filter((kind) => kind.lifecycle.classified);

/** An owned kind by its URL segment; any other segment is not a workspace page. */
export function ownedKind(segment: string): AnyRecordKind {
  const kind = ownedKinds().find((k) => k.segment === segment);
  if (!kind) throw new AppError('not_found', `no such kind ${segment}`);
  return kind;
}

const capitalized = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** A kind's name as a list's title: 信息系统, "Systems". */
export const kindTitle = (kind: AnyRecordKind, lang: Lang) => (lang === 'en' ? `${capitalized(kind.label.en)}s` : kind.label.zh);

/** A state as its kind names it: one kind's `retired` reads 已退出, another's 已下线. */
export const stateName = (kind: AnyRecordKind, value: string, lang: Lang) => kind.lifecycle.labels[value]?.[lang] ?? valueName(value, lang);

/** A column's heading: its spreadsheet alias in Chinese, its field name in English (`system_type` → "System type"). */
export function columnLabel(column: ColumnSpec, lang: Lang): string {
  if (lang === 'zh') return column.alias;
  const words = column.field.replaceAll('_', ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A value of an enumerated, yes/no or list column in the reader's language. */
export const columnValue = (column: ColumnSpec, value: unknown, lang: Lang): string => {
  // A list of codes (a service's consumer systems) as the spreadsheet writes it.
  if (column.type === 'list' && Array.isArray(value)) return value.length > 0 ? value.join('; ') : '—';
  return (lang === 'zh' && column.type === 'enum' ? column.values[String(value)] : undefined) ?? valueName(value, lang);
};
