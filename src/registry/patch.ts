/** What every stored record carries besides its input fields. */
export interface Stamps {
  id: number;
  created_at: string;
  updated_at: string;
}

/** The fields a PATCH body gives; an absent and an undefined field alike leave the value alone. */
export function withoutUndefined<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<T>;
}

const sameValue = (a: unknown, b: unknown) => (a ?? null) === (b ?? null);

/** Two views are the same record when every field is, absent and null being the same. */
export function sameRecord(a: object, b: object): boolean {
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].every((k) => sameValue(ra[k], rb[k]));
}
