/** The terminal's rendering of the JSON log lines (src/kernel/log-pretty.ts). */
import { describe, expect, it } from 'vitest';
import { prettyLine } from '../../src/kernel/log-pretty.ts';

describe('pretty log lines', () => {
  it('shows time, level, message and the other fields as key=value', () => {
    const line = JSON.stringify({
      level: 'info',
      time: '2026-12-07T06:55:01.123Z',
      pid: 1,
      hostname: 'h',
      msg: 'request',
      method: 'GET',
      route: '/api/v1/systems/:code',
      status: 200,
      user: 'li wei',
    });
    expect(prettyLine(`${line}\n`)).toBe('06:55:01.123 INFO  request  method=GET route=/api/v1/systems/:code status=200 user="li wei"\n');
  });

  it('puts an error’s stack under the line, and colours the level only when asked', () => {
    const line = JSON.stringify({
      level: 'error',
      time: '2026-12-07T06:55:01.123Z',
      msg: 'boom',
      job: 'sla_watch',
      err: { message: 'x', stack: 'Error: x\n    at f (a.ts:1:1)' },
    });
    const plain = prettyLine(line);
    expect(plain).toBe('06:55:01.123 ERROR boom  job=sla_watch\n    Error: x\n        at f (a.ts:1:1)\n');
    expect(prettyLine(line, true)).toContain('\x1b[31mERROR\x1b[0m');
  });

  it('passes a line that is not JSON through', () => {
    expect(prettyLine('plain words')).toBe('plain words\n');
  });
});
