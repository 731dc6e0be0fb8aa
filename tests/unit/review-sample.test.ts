import { describe, expect, it } from 'vitest';
import { sampleByDepartment } from '../../src/review/campaign.ts';

const certifications = (department: string, from: number, n: number) =>
  Array.from({ length: n }, (_, i) => ({ id: from + i, department_code: department }));

describe('a re-review sample (回头看抽查)', () => {
  const rows = [...certifications('A', 1, 25), ...certifications('B', 100, 7), ...certifications('C', 200, 1)];

  it('takes the share of each department, rounded up', () => {
    const drawn = sampleByDepartment(rows, 10, 12345);
    const count = (d: string) => drawn.filter((r) => r.department_code === d).length;
    expect([count('A'), count('B'), count('C')]).toEqual([3, 1, 1]);
  });

  it('draws the same records from the same seed, whatever order they come in', () => {
    const once = sampleByDepartment(rows, 10, 777).map((r) => r.id);
    const again = sampleByDepartment([...rows].reverse(), 10, 777).map((r) => r.id);
    expect([...again].sort()).toEqual([...once].sort());
  });

  it('draws other records from another seed', () => {
    const seeds = [1, 2, 3, 4, 5].map((seed) =>
      sampleByDepartment(rows, 20, seed)
        .map((r) => r.id)
        .join(','),
    );
    expect(new Set(seeds).size).toBeGreaterThan(1);
  });
});
