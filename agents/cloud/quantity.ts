/**
 * Kubernetes resource quantities ("500m", "4Gi", "1.5", "2e3", "100M") as plain numbers:
 * cores for CPU, bytes for memory and storage.
 */
const suffixes: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

const pattern = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E))?$/;

export function parseQuantity(text: string): number {
  const m = pattern.exec(text.trim());
  if (!m) throw new Error(`not a Kubernetes quantity: "${text}"`);
  const value = Number(m[1]);
  if (m[2]) return value * 10 ** Number(m[2].slice(1));
  return value * (suffixes[m[3] ?? ''] as number);
}

export const gib = (bytes: number) => bytes / 2 ** 30;
