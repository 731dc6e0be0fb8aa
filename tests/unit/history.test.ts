import { describe, expect, it } from 'vitest';
import { type ActiveTransition, buildIntervals, reconcileDeclared } from '../../src/registry/history.ts';

const t = (id: number, field: string, toValue: string, effectiveAt: string | null): ActiveTransition => ({
  id,
  field,
  toValue,
  effectiveAt,
});

describe('buildIntervals', () => {
  it('starts in the initial state and opens an interval at each change', () => {
    expect(
      buildIntervals('system', [
        t(1, 'classification', 'non_classified', null),
        t(2, 'state', 'migrating', '2020-01-01'),
        t(3, 'state', 'migrated', '2020-03-01'),
      ]),
    ).toEqual([
      { validFrom: null, validTo: '2020-01-01', classification: 'non_classified', state: 'not_migrated', attributes: {} },
      { validFrom: '2020-01-01', validTo: '2020-03-01', classification: 'non_classified', state: 'migrating', attributes: {} },
      { validFrom: '2020-03-01', validTo: null, classification: 'non_classified', state: 'migrated', attributes: {} },
    ]);
  });
  it('orders by business date, not by recording order, and merges no-op changes', () => {
    expect(buildIntervals('service_item', [t(5, 'state', 'integrated', '2020-05-01'), t(2, 'state', 'integrated', '2019-01-01')])).toEqual([
      {
        validFrom: null,
        validTo: '2019-01-01',
        classification: null,
        state: 'not_integrated',
        attributes: { service_level: 'multiple_visits' },
      },
      {
        validFrom: '2019-01-01',
        validTo: null,
        classification: null,
        state: 'integrated',
        attributes: { service_level: 'multiple_visits' },
      },
    ]);
  });
  it('carries tracked attributes from their dates, starting from the initial value, and drops one cleared', () => {
    expect(
      buildIntervals('system', [
        t(1, 'security_level', '3', null),
        t(2, 'assessed_on', '2019-11-15', '2019-11-15'),
        t(3, 'dr_site', 'remote', '2020-02-01'),
        t(4, 'dr_site', '', '2020-06-01'),
      ]),
    ).toEqual([
      { validFrom: null, validTo: '2019-11-15', classification: 'pending', state: 'not_migrated', attributes: { security_level: '3' } },
      {
        validFrom: '2019-11-15',
        validTo: '2020-02-01',
        classification: 'pending',
        state: 'not_migrated',
        attributes: { security_level: '3', assessed_on: '2019-11-15' },
      },
      {
        validFrom: '2020-02-01',
        validTo: '2020-06-01',
        classification: 'pending',
        state: 'not_migrated',
        attributes: { security_level: '3', assessed_on: '2019-11-15', dr_site: 'remote' },
      },
      {
        validFrom: '2020-06-01',
        validTo: null,
        classification: 'pending',
        state: 'not_migrated',
        attributes: { security_level: '3', assessed_on: '2019-11-15' },
      },
    ]);
    // A service item's level starts as several visits; a change to the same value opens nothing.
    expect(
      buildIntervals('service_item', [
        t(1, 'service_level', 'multiple_visits', '2020-01-01'),
        t(2, 'service_level', 'full_online', '2020-03-01'),
      ]),
    ).toEqual([
      {
        validFrom: null,
        validTo: '2020-03-01',
        classification: null,
        state: 'not_integrated',
        attributes: { service_level: 'multiple_visits' },
      },
      {
        validFrom: '2020-03-01',
        validTo: null,
        classification: null,
        state: 'not_integrated',
        attributes: { service_level: 'full_online' },
      },
    ]);
  });
  it('applies same-day changes in recording order', () => {
    const iv = buildIntervals('system', [t(1, 'state', 'migrating', '2020-01-01'), t(2, 'state', 'migrated', '2020-01-01')]);
    expect(iv.at(-1)).toMatchObject({ validFrom: '2020-01-01', state: 'migrated' });
    expect(iv).toHaveLength(2);
  });
});

describe('reconcileDeclared', () => {
  const today = '2021-01-01';
  it('changes nothing when the declaration matches the latest transition', () => {
    expect(reconcileDeclared([t(1, 'state', 'migrated', '2020-03-01')], 'not_migrated', 'migrated', '2020-03-01', today)).toEqual({
      supersede: [],
      add: null,
    });
    expect(reconcileDeclared([], 'not_migrated', 'not_migrated', null, today)).toEqual({ supersede: [], add: null });
  });
  it('adds a dated transition for a new state', () => {
    expect(reconcileDeclared([t(1, 'state', 'migrating', '2020-01-01')], 'not_migrated', 'migrated', '2020-03-01', today)).toEqual({
      supersede: [],
      add: { value: 'migrated', effectiveAt: '2020-03-01' },
    });
  });
  it('supersedes what the declaration contradicts', () => {
    const active = [t(1, 'state', 'migrating', '2020-01-01'), t(2, 'state', 'migrated', '2020-05-01')];
    expect(reconcileDeclared(active, 'not_migrated', 'migrated', '2020-03-01', today)).toEqual({
      supersede: [2],
      add: { value: 'migrated', effectiveAt: '2020-03-01' },
    });
    // Moving the start of the current state later: the earlier start goes.
    expect(reconcileDeclared([t(3, 'state', 'migrated', '2020-01-01')], 'not_migrated', 'migrated', '2020-06-01', today)).toEqual({
      supersede: [3],
      add: { value: 'migrated', effectiveAt: '2020-06-01' },
    });
  });
  it('dates a return to the initial state today instead of erasing the past', () => {
    expect(reconcileDeclared([t(1, 'state', 'integrated', '2020-01-01')], 'not_integrated', 'not_integrated', null, today)).toEqual({
      supersede: [],
      add: { value: 'not_integrated', effectiveAt: today },
    });
  });
});

describe('reconcileDeclared on an initial value', () => {
  it('leaves a dated return to the initial state alone when the row repeats it without a date', () => {
    const active = [t(1, 'state', 'integrated', '2020-01-01'), t(2, 'state', 'not_integrated', '2021-04-01')];
    expect(reconcileDeclared(active, 'not_integrated', 'not_integrated', null, '2021-06-01')).toEqual({ supersede: [], add: null });
  });
});
