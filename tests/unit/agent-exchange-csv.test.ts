import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, type ExchangeCsvSource, loadAgentConfig } from '../../agents/client/config.ts';
import { createAgentMetrics } from '../../agents/client/metrics.ts';
import { startAgent } from '../../agents/client/runner.ts';
import { exchangeCollector } from '../../agents/exchange/agent.ts';
import { CsvFolderSource, parseVolumeFile } from '../../agents/exchange/csv.ts';
import { exchangeAgent } from '../../agents/exchange/program.ts';
import { metricValue, type RecordingApi, startRecordingApi } from '../helpers/agents.ts';

const latest = '2026-12-07';
const csv = (text: string) => Buffer.from(text, 'utf8');
const errorsOf = (parsed: ReturnType<typeof parseVolumeFile>) => ('errors' in parsed ? parsed.errors : []);

describe('an exchange CSV file', () => {
  it('becomes one exchange_volume item per row, with a UTF-8 BOM, CRLF, blank lines and any header order', () => {
    const parsed = parseVolumeFile(
      csv('\uFEFFDate, Service_Code ,count\r\n2026-12-01,GX-IF-001,120\r\n\r\n2026-12-01,"GX-IF-002",0\r\n'),
      latest,
    );
    expect(parsed).toEqual({
      items: [
        { kind: 'exchange_volume', service: 'GX-IF-001', date: '2026-12-01', count: 120 },
        { kind: 'exchange_volume', service: 'GX-IF-002', date: '2026-12-01', count: 0 },
      ],
    });
  });

  it('names the row and column of every bad value, and returns no items then', () => {
    const parsed = parseVolumeFile(
      csv(
        [
          'service_code,date,count',
          'GX-IF-001,2026-12-01,5',
          'GX-IF-002,2026-02-30,5',
          ',2026-12-01,5',
          'GX-IF-003,2026-12-01,-1',
          'GX-IF-004,2026-12-01,1.5',
          'GX-IF-005,2027-01-01,5',
          'GX-IF-001,2026-12-01,7',
          'GX-IF-006,2026-12-01',
        ].join('\n'),
      ),
      latest,
    );
    expect(parsed).not.toHaveProperty('items');
    expect(errorsOf(parsed)).toEqual([
      'row 3, column 2 (date): "2026-02-30" is not a date YYYY-MM-DD',
      'row 4, column 1 (service_code): is empty',
      'row 5, column 3 (count): "-1" is not a whole number ≥ 0',
      'row 6, column 3 (count): "1.5" is not a whole number ≥ 0',
      'row 7, column 2 (date): 2027-01-01 is in the future',
      'row 8: GX-IF-001 on 2026-12-01 is already on row 2',
      'row 9: has 2 columns, the header 3',
    ]);
  });

  it('names a row by the line it starts on when a quoted value spans lines', () => {
    const parsed = parseVolumeFile(csv('service_code,date,count\n"GX\nIF",2026-12-01,1\nGX-IF-2,2026-12-01,x\n'), latest);
    expect(errorsOf(parsed)).toEqual([
      'row 2, column 1 (service_code): holds a control character',
      'row 4, column 3 (count): "x" is not a whole number ≥ 0',
    ]);
  });

  it('refuses a wrong header, an empty file, and text that is not UTF-8', () => {
    expect(errorsOf(parseVolumeFile(csv('service,date,count,note\nA,2026-12-01,1,x\n'), latest))).toEqual([
      'row 1: the header has no column service_code',
      'row 1, column 1: unknown column "service" (expected service_code,date,count)',
      'row 1, column 4: unknown column "note" (expected service_code,date,count)',
    ]);
    expect(errorsOf(parseVolumeFile(csv('service_code,date,count,date\n'), latest))).toEqual([
      'row 1, column 4: column date appears twice',
    ]);
    expect(errorsOf(parseVolumeFile(csv(''), latest))).toEqual(['the file is empty; row 1 must be the header service_code,date,count']);
    // 接口 in GBK: a file saved by a Chinese Excel without "CSV UTF-8".
    const gbk = Buffer.concat([csv('service_code,date,count\n'), Buffer.from([0xbd, 0xd3, 0xbf, 0xda]), csv(',2026-12-01,1\n')]);
    expect(errorsOf(parseVolumeFile(gbk, latest))).toEqual(['the file is not UTF-8 text (save it as CSV UTF-8)']);
    expect(errorsOf(parseVolumeFile(csv('service_code,date,count\n"A,2026-12-01,1\n'), latest))[0]).toMatch(/^row \d+: not valid CSV/);
  });
});

describe('the CSV folder source', () => {
  let root: string;
  let api: RecordingApi;
  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'yunwang-exchange-csv-'));
    api = await startRecordingApi();
  });
  afterAll(async () => {
    await api.close();
    await rm(root, { recursive: true, force: true });
  });

  let counter = 0;
  const folder = async () => {
    const dir = path.join(root, `drop-${++counter}`);
    await mkdir(dir, { recursive: true });
    return dir;
  };
  const old = async (file: string) => utimes(file, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
  const config = (dir: string, extra: Partial<ExchangeCsvSource> = {}): ExchangeCsvSource => ({
    dir,
    max_file_bytes: 1024,
    max_files_per_round: 100,
    settle_seconds: 10,
    ...extra,
  });

  it('sends a good file, moves it to done/ only once spooled, rejects a bad one with a .error, and waits for an unsettled one', async () => {
    const dir = await folder();
    await writeFile(path.join(dir, '2026-12-01.csv'), 'service_code,date,count\nGX-IF-001,2026-12-01,10\nGX-IF-002,2026-12-01,20\n');
    await writeFile(path.join(dir, '2026-12-02.csv'), 'service_code,date,count\nGX-IF-001,2026-12-02,11\nGX-IF-002,2026-13-02,21\n');
    await writeFile(path.join(dir, 'big.csv'), `service_code,date,count\n${'GX-IF-001,2026-12-01,1\n'.repeat(60)}`);
    await writeFile(path.join(dir, 'notes.txt'), 'not a csv');
    for (const f of ['2026-12-01.csv', '2026-12-02.csv', 'big.csv', 'notes.txt']) await old(path.join(dir, f));
    // Written just now: the platform may still be writing it.
    await writeFile(path.join(dir, '2026-12-03.csv'), 'service_code,date,count\nGX-IF-001,2026-12-03,12\n');

    const metrics = createAgentMetrics('exchange', '0.1.0', () => ({ batches: 0, bytes: 0, oldestAgeSeconds: 0, nextSeq: 1 }));
    const source = new CsvFolderSource(config(dir), { log: () => {} });
    const round = await source.collect(metrics);
    expect(round.items).toEqual([
      { kind: 'exchange_volume', service: 'GX-IF-001', date: '2026-12-01', count: 10 },
      { kind: 'exchange_volume', service: 'GX-IF-002', date: '2026-12-01', count: 20 },
    ]);
    // Not spooled yet: the good file is still where the platform put it.
    expect((await readdir(dir)).sort()).toEqual(['2026-12-01.csv', '2026-12-03.csv', 'done', 'notes.txt', 'rejected']);
    expect((await readdir(path.join(dir, 'rejected'))).sort()).toEqual([
      '2026-12-02.csv',
      '2026-12-02.csv.error',
      'big.csv',
      'big.csv.error',
    ]);
    expect(await readFile(path.join(dir, 'rejected', '2026-12-02.csv.error'), 'utf8')).toContain(
      'row 3, column 2 (date): "2026-13-02" is not a date YYYY-MM-DD',
    );
    expect(await readFile(path.join(dir, 'rejected', 'big.csv.error'), 'utf8')).toMatch(
      /the file is \d+ bytes, over max_file_bytes \(1024\)/,
    );

    await round.afterSpooled();
    expect((await readdir(dir)).sort()).toEqual(['2026-12-03.csv', 'done', 'notes.txt', 'rejected']);
    expect(await readdir(path.join(dir, 'done'))).toEqual(['2026-12-01.csv']);
    const text = await metrics.registry.metrics();
    expect(metricValue(text, 'yunwang_agent_exchange_rows_read_total', '{source="csv"}')).toBe(2);
    expect(metricValue(text, 'yunwang_agent_exchange_files_total', '{outcome="done"}')).toBe(1);
    expect(metricValue(text, 'yunwang_agent_exchange_files_total', '{outcome="rejected"}')).toBe(2);

    // The next round: nothing new but the settled third file; a file of the same name again keeps both in done/.
    await old(path.join(dir, '2026-12-03.csv'));
    await writeFile(path.join(dir, '2026-12-01.csv'), 'service_code,date,count\nGX-IF-001,2026-12-01,13\n');
    await old(path.join(dir, '2026-12-01.csv'));
    const next = await source.collect(metrics);
    expect(next.items.map((i) => [i.service, i.date, i.count])).toEqual([
      ['GX-IF-001', '2026-12-01', 13],
      ['GX-IF-001', '2026-12-03', 12],
    ]);
    await next.afterSpooled();
    expect((await readdir(path.join(dir, 'done'))).sort()).toEqual(['2026-12-01.csv', '2026-12-01.csv.1', '2026-12-03.csv']);
  });

  it('reads files up to max_file_bytes in all a round (at least one), the rest next round', async () => {
    const dir = await folder();
    // Each about 400 bytes: two fit in 1024, the third waits.
    for (const day of ['01', '02', '03']) {
      const rows = Array.from({ length: 16 }, (_, i) => `GX-IF-${String(i).padStart(3, '0')},2026-12-${day},${i}`);
      await writeFile(path.join(dir, `d${day}.csv`), `service_code,date,count\n${rows.join('\n')}\n`);
      await old(path.join(dir, `d${day}.csv`));
    }
    const metrics = createAgentMetrics('exchange', '0.1.0', () => ({ batches: 0, bytes: 0, oldestAgeSeconds: 0, nextSeq: 1 }));
    const source = new CsvFolderSource(config(dir), { log: () => {} });
    const first = await source.collect(metrics);
    expect([...new Set(first.items.map((i) => i.date))]).toEqual(['2026-12-01', '2026-12-02']);
    await first.afterSpooled();
    const second = await source.collect(metrics);
    expect([...new Set(second.items.map((i) => i.date))]).toEqual(['2026-12-03']);
  });

  it('reads at most max_files_per_round files a round, in name order', async () => {
    const dir = await folder();
    for (const day of ['03', '01', '02']) {
      await writeFile(path.join(dir, `d${day}.csv`), `service_code,date,count\nGX-IF-001,2026-12-${day},1\n`);
      await old(path.join(dir, `d${day}.csv`));
    }
    const metrics = createAgentMetrics('exchange', '0.1.0', () => ({ batches: 0, bytes: 0, oldestAgeSeconds: 0, nextSeq: 1 }));
    const source = new CsvFolderSource(config(dir, { max_files_per_round: 2 }), { log: () => {} });
    const first = await source.collect(metrics);
    expect(first.items.map((i) => i.date)).toEqual(['2026-12-01', '2026-12-02']);
    await first.afterSpooled();
    expect((await source.collect(metrics)).items.map((i) => i.date)).toEqual(['2026-12-03']);
  });

  it('runs as `yunwang-agent exchange --once` from its YAML: the rows reach the API in bounded batches, then the file is done', async () => {
    const dir = await folder();
    const rows = Array.from({ length: 25 }, (_, i) => `GX-IF-${String(i).padStart(3, '0')},2026-12-01,${i * 7}`);
    await writeFile(path.join(dir, 'day.csv'), `service_code,date,count\n${rows.join('\n')}\n`);
    await old(path.join(dir, 'day.csv'));
    const file = path.join(dir, '..', `exchange-${counter}.yaml`);
    await writeFile(
      file,
      `api_url: ${api.url}
token: ywa_test
name: exchange-csv-${counter}
spool_dir: ./spool-${counter}
max_batch_items: 10
metrics_enabled: false
csv:
  dir: ./drop-${counter}
  settle_seconds: 1
`,
    );
    const config = exchangeAgent.load(file);
    expect(config.csv?.dir).toBe(dir);
    expect(config.interval_seconds).toBe(300);
    api.batches = [];
    const agent = await startAgent({
      kind: 'exchange',
      config,
      collect: exchangeCollector(config, { log: () => {} }),
      once: true,
      log: () => {},
    });
    expect(await agent.done).toBe(0);
    expect(api.batches.map((b) => b.items.length)).toEqual([10, 10, 5]);
    expect(api.batches.flatMap((b) => b.items).map((i) => [i.service, i.count])).toEqual(rows.map((r, i) => [r.split(',')[0], i * 7]));
    expect(await readdir(path.join(dir, 'done'))).toEqual(['day.csv']);
    expect(await readdir(dir)).not.toContain('day.csv');
  });

  it('takes exactly one source, and a folder relative to the file', async () => {
    const base = `api_url: http://127.0.0.1:1\ntoken: t\nname: x\nspool_dir: s\n`;
    const write = async (name: string, text: string) => {
      const file = path.join(root, name);
      await writeFile(file, text);
      return file;
    };
    expect(() => loadAgentConfig('exchange', path.join(root, 'absent.yaml'), {})).toThrow(ConfigError);
    expect(() => loadAgentConfig('exchange', (() => path.join(root, 'none.yaml'))(), {})).toThrow(/cannot read/);
    const none = await write('none.yaml', base);
    expect(() => loadAgentConfig('exchange', none, {})).toThrow(/sql: give exactly one source: sql or csv/);
    const both = await write('both.yaml', `${base}csv: { dir: d }\nsql: { connection: "postgres://u@h/db", query: "select $1" }\n`);
    expect(() => loadAgentConfig('exchange', both, {})).toThrow(/csv: give exactly one source: sql or csv/);
    const bad = await write('bad.yaml', `${base}csv: { dir: d, max_file_bytes: 0 }\n`);
    expect(() => loadAgentConfig('exchange', bad, {})).toThrow(/csv\.max_file_bytes/);
  });
});
