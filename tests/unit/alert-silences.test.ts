import { describe, expect, it } from 'vitest';
import { inWeeklyWindow, localClock, silenceActive, silenceMatches } from '../../src/alerts/silences.ts';

/** Instants written in Asia/Shanghai (UTC+8, no daylight saving). */
const cst = (local: string) => new Date(`${local}+08:00`);

describe('weekly maintenance windows', () => {
  // 2026-11-29 is a Sunday.
  const sundayNight = { weekdays: [0], start: '23:00', end: '01:00', timezone: 'Asia/Shanghai' };

  it('reads the weekday and minute in the window’s time zone, not UTC', () => {
    expect(localClock(cst('2026-11-30T00:30:00'), 'Asia/Shanghai')).toEqual({ weekday: 1, minute: 30 });
    expect(localClock(cst('2026-11-30T00:30:00'), 'UTC')).toEqual({ weekday: 0, minute: 16 * 60 + 30 });
  });

  it('runs past midnight into the next day when the end is not after the start', () => {
    expect(inWeeklyWindow(sundayNight, cst('2026-11-29T22:59:00'))).toBe(false);
    expect(inWeeklyWindow(sundayNight, cst('2026-11-29T23:00:00'))).toBe(true);
    expect(inWeeklyWindow(sundayNight, cst('2026-11-30T00:30:00'))).toBe(true);
    expect(inWeeklyWindow(sundayNight, cst('2026-11-30T01:00:00'))).toBe(false);
    // Saturday night is not Sunday night, and Monday night starts no window.
    expect(inWeeklyWindow(sundayNight, cst('2026-11-28T23:30:00'))).toBe(false);
    expect(inWeeklyWindow(sundayNight, cst('2026-11-30T23:30:00'))).toBe(false);
    expect(inWeeklyWindow(sundayNight, cst('2026-12-01T00:30:00'))).toBe(false);
  });

  it('holds a same-day window only on its days', () => {
    const sundayMorning = { weekdays: [0, 6], start: '02:00', end: '04:00', timezone: 'Asia/Shanghai' };
    expect(inWeeklyWindow(sundayMorning, cst('2026-11-29T03:59:00'))).toBe(true);
    expect(inWeeklyWindow(sundayMorning, cst('2026-11-28T02:00:00'))).toBe(true);
    expect(inWeeklyWindow(sundayMorning, cst('2026-11-30T03:00:00'))).toBe(false);
    expect(inWeeklyWindow(sundayMorning, cst('2026-11-29T04:00:00'))).toBe(false);
  });

  it('is in force only between its dates, inside its window, and not once expired', () => {
    const window = { startsAt: cst('2026-11-01T00:00:00'), endsAt: null, expiredAt: null, recurrence: sundayNight };
    expect(silenceActive(window, cst('2026-11-29T23:30:00'))).toBe(true);
    expect(silenceActive(window, cst('2026-10-25T23:30:00'))).toBe(false);
    expect(silenceActive({ ...window, expiredAt: cst('2026-11-20T00:00:00') }, cst('2026-11-29T23:30:00'))).toBe(false);
    const oneOff = { startsAt: cst('2026-12-01T00:00:00'), endsAt: cst('2026-12-01T02:00:00'), expiredAt: null, recurrence: null };
    expect(silenceActive(oneOff, cst('2026-12-01T01:59:59'))).toBe(true);
    expect(silenceActive(oneOff, cst('2026-12-01T02:00:00'))).toBe(false);
  });
});

describe('silence matchers', () => {
  const alert = {
    rule: 'node_down',
    severity: 'critical',
    subjectKind: 'node',
    subjectCode: 'GX-NN-01',
    regionPath: '/450000/450100/450102/',
    cloudCode: null,
    agentName: null,
    agents: ['probe-nanning', 'probe-liuzhou'],
  };

  it('matches a region and its descendants, never a sibling or a prefix-alike code', () => {
    expect(silenceMatches({ region: '450100' }, alert)).toBe(true);
    expect(silenceMatches({ region: '450000' }, alert)).toBe(true);
    expect(silenceMatches({ region: '450102' }, alert)).toBe(true);
    expect(silenceMatches({ region: '450200' }, alert)).toBe(false);
    expect(silenceMatches({ region: '45010' }, alert)).toBe(false);
    expect(silenceMatches({ region: '450100' }, { ...alert, regionPath: null })).toBe(false);
  });

  it('needs every matcher to match', () => {
    expect(silenceMatches({ rule: 'node_down', node: 'GX-NN-01' }, alert)).toBe(true);
    expect(silenceMatches({ rule: 'node_down', node: 'GX-NN-02' }, alert)).toBe(false);
    expect(silenceMatches({ rule: 'node_degraded', region: '450100' }, alert)).toBe(false);
    expect(silenceMatches({ severity: 'warning' }, alert)).toBe(false);
    expect(silenceMatches({ agent: 'probe-liuzhou' }, alert)).toBe(true);
    expect(silenceMatches({ agent: 'probe-wuzhou' }, alert)).toBe(false);
    expect(silenceMatches({ cloud: 'GX-CLOUD' }, alert)).toBe(false);
  });
});
