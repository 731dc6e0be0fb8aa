/**
 * Evidence documents (认定依据) over HTTP: the type is what the bytes are, not what the name
 * says; the size is bounded before anything is stored; a document is read by reviewers,
 * auditors, its uploader and the department owning what it is attached to — anyone else gets
 * 404, as if it did not exist; attaching needs the right to read, so an id alone grants
 * nothing; every upload and download (and every refused download) is audited; the bytes are
 * checked against their SHA-256 at every download. Kept in the database here, and in a real
 * S3-compatible server (s3rver) when one is configured.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import S3rver from 's3rver';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type App, createApp } from '../../src/app.ts';
import { configDefaults } from '../../src/config.ts';
import { pruneUnattachedDocuments } from '../../src/documents/jobs.ts';
import { databaseStore, documentStoreFrom } from '../../src/documents/store.ts';
import { loadDivisions } from '../../src/regions/service.ts';
import { type ApiClient, apiClient, fileForm, type Json } from '../helpers/api.ts';
import { type Cast, callerWith, createCast, type TestCaller } from '../helpers/auth.ts';
import { describeEachBackend, queryRows } from '../helpers/db.ts';

const config = { YUNWANG_BODY_LIMIT_BYTES: 1048576, YUNWANG_IMPORT_LIMIT_BYTES: 67108864 };

let counter = 0;
const uid = (prefix: string) => `DOC-${prefix}-${++counter}`;

/** A small PDF, different each time (so each has its own SHA-256). */
const pdf = (text = uid('pdf')) => new TextEncoder().encode(`%PDF-1.4\n1 0 obj<</Title (${text})>>endobj\ntrailer<<>>\n%%EOF\n`);
/** The first bytes of an ELF executable (what `/usr/bin/ls` begins with). */
const elf = () => Uint8Array.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, ...new Array(120).fill(0)]);
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describeEachBackend('evidence documents', (getDb) => {
  let app: App;
  let cast: Cast;
  let api: ApiClient;
  let reviewer: TestCaller;
  let department: TestCaller;
  let otherDepartment: TestCaller;
  const dept = uid('D');
  const other = uid('D');

  const countDocuments = async () => Number((await queryRows<{ n: number }>(getDb(), sql`select count(*)::int as n from documents`))[0]?.n);
  const upload = (who: TestCaller, bytes: Uint8Array, name = 'evidence.pdf') =>
    api.as(who).post('/api/v1/documents', fileForm(bytes, name));
  const uploaded = async (who: TestCaller, bytes = pdf(), name = 'evidence.pdf') => {
    const answer = await upload(who, bytes, name);
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    return String(answer.body.id);
  };
  const download = (who: TestCaller, id: string) => api.as(who).get(`/api/v1/documents/${id}`);
  const newSystem = async () => {
    const code = uid('S');
    const answer = await api.as(department).post('/api/v1/systems', { code, name: '佐证系统', department_code: dept });
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    return code;
  };

  beforeAll(async () => {
    await loadDivisions(getDb().db);
    app = createApp({ database: getDb(), config });
    cast = await createCast(app, getDb().db, { code: dept, name: '梧州市大数据局', region_code: '450400' });
    api = apiClient(app);
    reviewer = cast.callers.reviewer;
    department = cast.callers.department;
    const created = await api
      .as(cast.callers.sysadmin)
      .post('/api/v1/departments', { kind: 'government', code: other, name: '另一个部门', region_code: '450400' });
    expect(created.status).toBe(201);
    otherDepartment = await callerWith(getDb().db, ['department'], { department: other });
  });

  it('stores a PDF with the type its bytes show, its size and SHA-256, and gives back the same bytes', async () => {
    const bytes = pdf();
    const answer = await upload(department, bytes, '../../etc/认定依据 2026.pdf');
    expect(answer.status).toBe(201);
    expect(answer.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: '认定依据 2026.pdf',
      media_type: 'application/pdf',
      bytes: bytes.byteLength,
      sha256: sha256(bytes),
    });
    const got = await download(department, String(answer.body.id));
    expect(got.status).toBe(200);
    expect(got.type).toBe('application/pdf');
    expect(Buffer.from(got.bytes).equals(Buffer.from(bytes))).toBe(true);
    expect(got.headers.get('content-disposition')).toContain(`filename*=UTF-8''${encodeURIComponent('认定依据 2026.pdf')}`);
    expect(got.headers.get('x-content-sha256')).toBe(sha256(bytes));
  });

  it('refuses an executable renamed .pdf, bytes of no known type and an empty file, storing nothing', async () => {
    const before = await countDocuments();
    const renamed = await upload(department, elf(), 'report.pdf');
    expect(renamed.status).toBe(415);
    expect(renamed.type).toContain('application/problem+json');
    expect(renamed.body.detail).toContain('application/x-elf');
    expect(renamed.body.detail).toContain('report.pdf');
    const unknown = await upload(department, new TextEncoder().encode('just some words, no document'), 'notes.docx');
    expect(unknown.status).toBe(415);
    expect(unknown.body.detail).toContain('no recognised type');
    const empty = await upload(department, new Uint8Array(0), 'empty.pdf');
    expect(empty.status).toBe(422);
    const none = await api.as(department).post('/api/v1/documents', new FormData());
    expect([400, 422]).toContain(none.status);
    expect(await countDocuments()).toBe(before);
  });

  it('refuses a 25 MB file before storing anything, and a file one byte over the limit', async () => {
    const before = await countDocuments();
    const big = new Uint8Array(25 * 1024 * 1024);
    big.set(pdf(), 0);
    const tooBig = await upload(department, big, 'scan.pdf');
    expect(tooBig.status).toBe(413);
    expect(tooBig.body.detail).toContain('at most 20971520 bytes');
    // Within the multipart envelope's allowance, so refused by the file's own check.
    const small = createApp({ database: getDb(), config: { ...config, YUNWANG_DOCUMENT_LIMIT_BYTES: 4096 } });
    const over = new Uint8Array(4097);
    over.set(pdf(), 0);
    const justOver = await apiClient(small).as(department).post('/api/v1/documents', fileForm(over, 'scan.pdf'));
    expect(justOver.status).toBe(413);
    expect(justOver.body.detail).toContain('4097 bytes');
    const exact = await apiClient(small)
      .as(department)
      .post('/api/v1/documents', fileForm(over.subarray(0, 4096), 'scan.pdf'));
    expect(exact.status).toBe(201);
    expect(await countDocuments()).toBe(before + 1);
  });

  it('is read by reviewers, auditors and its uploader; another department, ops and anyone else get 404; leaders may not', async () => {
    const id = await uploaded(department);
    expect((await download(reviewer, id)).status).toBe(200);
    expect((await download(cast.callers.auditor, id)).status).toBe(200);
    const refused = await download(otherDepartment, id);
    expect(refused.status).toBe(404);
    expect((await download(cast.callers.ops, id)).status).toBe(404);
    expect((await download(cast.callers.leader, id)).status).toBe(403);
    expect((await api.get(`/api/v1/documents/${id}`)).status).toBe(401);
    expect((await download(reviewer, '00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await download(reviewer, 'not-a-uuid')).status).toBe(404);
    // Departments, sysadmins, leaders and auditors upload nothing outside their work.
    expect((await upload(cast.callers.leader, pdf())).status).toBe(403);
    expect((await upload(cast.callers.auditor, pdf())).status).toBe(403);
  });

  it('attached to a certification: its department reads it, another department does not; listed with the certification', async () => {
    const code = await newSystem();
    const id = await uploaded(reviewer, pdf(), '认定通知.pdf');
    expect((await download(department, id)).status).toBe(404);
    const certified = await api.as(reviewer).post(`/api/v1/systems/${code}/certifications`, {
      classification: 'non_classified',
      evidence: '桂政办发〔2020〕12号',
      documents: [id],
    });
    expect(certified.status, JSON.stringify(certified.body)).toBe(201);
    expect(certified.body.documents).toEqual([expect.objectContaining({ id, name: '认定通知.pdf', media_type: 'application/pdf' })]);
    expect((await download(department, id)).status).toBe(200);
    expect((await download(otherDepartment, id)).status).toBe(404);
    const listed = await api.as(reviewer).get('/api/v1/certifications?status=active&limit=1000');
    const entry = (listed.body.items as Json[]).find((c) => c.code === code);
    expect(((entry?.documents ?? []) as Json[]).map((d) => d.id)).toEqual([id]);
  });

  it('an id alone grants nothing: a document one may not read cannot be attached, and nothing is written', async () => {
    const theirs = await uploaded(otherDepartment);
    const code = await newSystem();
    const attempt = await api.as(reviewer).post(`/api/v1/systems/${code}/certifications`, {
      classification: 'non_classified',
      evidence: 'x',
      documents: ['00000000-0000-4000-8000-000000000001'],
    });
    expect(attempt.status).toBe(422);
    expect(attempt.body.errors).toEqual([expect.objectContaining({ field: 'documents', index: 0 })]);
    expect((await api.as(reviewer).get(`/api/v1/systems/${code}`)).body.classification).toBe('pending');
    // A department attaching another department's document to its own work order.
    const order = await api
      .as(department)
      .post('/api/v1/work-orders', { title: '借用他人佐证', category: 'request', priority: 'P4', documents: [theirs] });
    expect(order.status).toBe(422);
    expect(order.body.errors).toEqual([expect.objectContaining({ field: 'documents', index: 0 })]);
    expect((await download(department, theirs)).status).toBe(404);
    const malformed = await api
      .as(department)
      .post('/api/v1/work-orders', { title: 't', category: 'request', priority: 'P4', documents: ['x'] });
    expect(malformed.status).toBe(422);
    expect(JSON.stringify(malformed.body.errors)).toContain('documents');
  });

  it('one set of documents on a batch certification, on a re-review result and on a work order', async () => {
    const codes = [await newSystem(), await newSystem()];
    const id = await uploaded(reviewer);
    const batch = await api.as(reviewer).post('/api/v1/certifications/batch', {
      items: codes.map((code) => ({ kind: 'systems', code })),
      classification: 'non_classified',
      evidence: '批量认定',
      documents: [id],
    });
    expect(batch.status, JSON.stringify(batch.body)).toBe(200);
    expect((batch.body.items as Json[]).map((c) => (c.documents as Json[]).map((d) => d.id))).toEqual([[id], [id]]);

    const certificationId = (batch.body.items as Json[])[0]?.id;
    const scheduled = await api.as(reviewer).post(`/api/v1/certifications/${certificationId}/re-reviews`, { due_at: '2099-01-01' });
    expect(scheduled.status).toBe(201);
    const finding = await uploaded(reviewer, pdf(), '回头看记录.pdf');
    const result = await api
      .as(reviewer)
      .post(`/api/v1/re-reviews/${scheduled.body.id}/result`, { result: 'passed', documents: [finding] });
    expect(result.status, JSON.stringify(result.body)).toBe(200);
    expect((result.body.documents as Json[]).map((d) => d.name)).toEqual(['回头看记录.pdf']);
    expect((await download(department, finding)).status).toBe(200);

    const screenshot = await uploaded(department, pdf(), '故障截图.pdf');
    const order = await api
      .as(department)
      .post('/api/v1/work-orders', { title: '专网中断', category: 'fault', priority: 'P3', documents: [screenshot] });
    expect(order.status, JSON.stringify(order.body)).toBe(201);
    const detail = await api.as(cast.callers.ops).get(`/api/v1/work-orders/${order.body.code}`);
    expect((detail.body.documents as Json[]).map((d) => d.id)).toEqual([screenshot]);
    // Ops work every order, so they read what is attached to one.
    expect((await download(cast.callers.ops, screenshot)).status).toBe(200);
    const reply = await uploaded(cast.callers.ops, pdf(), '处理记录.pdf');
    const commented = await api
      .as(cast.callers.ops)
      .post(`/api/v1/work-orders/${order.body.code}/comments`, { body: '已处理，见附件', documents: [reply] });
    expect(commented.status, JSON.stringify(commented.body)).toBe(201);
    expect((commented.body.documents as Json[]).map((d) => d.id).sort()).toEqual([screenshot, reply].sort());
    expect((await download(department, reply)).status).toBe(200);
    expect((await download(otherDepartment, reply)).status).toBe(404);
  });

  it('audits every upload and download, the refused ones too', async () => {
    const id = await uploaded(department);
    await download(reviewer, id);
    await download(otherDepartment, id);
    const trail = await queryRows<{ actor: string; action: string; result: string }>(
      getDb(),
      sql`select actor, action, result from audit_log where entity_kind = 'document' and entity_code = ${id} order by id`,
    );
    expect(trail).toEqual([
      { actor: department.name, action: 'document.upload', result: 'ok' },
      { actor: reviewer.name, action: 'document.download', result: 'ok' },
      { actor: otherDepartment.name, action: 'document.download', result: 'denied' },
    ]);
  });

  it('deletes uploads left unattached past the window, and keeps attached ones', async () => {
    const orphan = await uploaded(department);
    const kept = await uploaded(department);
    const fresh = await uploaded(department);
    const order = await api
      .as(department)
      .post('/api/v1/work-orders', { title: '附件保留', category: 'request', priority: 'P4', documents: [kept] });
    expect(order.status).toBe(201);
    await getDb().db.execute(sql`update documents set uploaded_at = now() - interval '2 days' where id in (${orphan}, ${kept})`);
    expect(await pruneUnattachedDocuments(getDb().db, databaseStore, 24)).toBe(1);
    const left = await queryRows<{ id: string }>(getDb(), sql`select id from documents where id in (${orphan}, ${kept}, ${fresh})`);
    expect(left.map((r) => r.id).sort()).toEqual([kept, fresh].sort());
    expect((await download(department, orphan)).status).toBe(404);
    const trail = await queryRows<{ actor: string; action: string }>(
      getDb(),
      sql`select actor, action from audit_log where entity_code = ${orphan} and action = 'document.prune'`,
    );
    expect(trail).toEqual([{ actor: 'system', action: 'document.prune' }]);
  });

  it('holds a user to 100 unattached uploads at once', async () => {
    const hoarder = await callerWith(getDb().db, ['department'], { department: other });
    const first = await uploaded(hoarder);
    const [user] = await queryRows<{ uploaded_by: number }>(getDb(), sql`select uploaded_by from documents where id = ${first}`);
    await getDb().db.execute(sql`insert into documents (name, media_type, bytes, sha256, storage, content, uploaded_by)
      select 'x.pdf', 'application/pdf', 1, 'x', 'database', '\\x25'::bytea, ${user?.uploaded_by} from generate_series(1, 99)`);
    const refused = await upload(hoarder, pdf());
    expect(refused.status).toBe(429);
    expect(refused.body.detail).toContain('100 uploaded documents attached to nothing');
    expect(refused.headers.get('retry-after')).toBe('3600');
  });

  it('refuses to hand out bytes that no longer match their SHA-256', async () => {
    const id = await uploaded(department);
    await getDb().db.execute(sql`update documents set content = ${Buffer.from(pdf('tampered'))} where id = ${id}`);
    const got = await download(reviewer, id);
    expect(got.status).toBe(500);
    expect(got.body.detail).toContain('no longer match');
  });
});

describeEachBackend('evidence documents in S3-compatible storage (s3rver)', (getDb) => {
  let server: S3rver;
  let directory: string;
  let endpoint: string;
  let cast: Cast;
  const s3 = (overrides: Json = {}) => ({
    ...config,
    YUNWANG_S3_ENDPOINT: endpoint,
    YUNWANG_S3_BUCKET: 'evidence',
    YUNWANG_S3_ACCESS_KEY_ID: 'S3RVER',
    YUNWANG_S3_SECRET_ACCESS_KEY: 'S3RVER',
    ...overrides,
  });

  beforeAll(async () => {
    directory = await mkdtemp(path.join(tmpdir(), 'yunwang-s3-'));
    server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory, configureBuckets: [{ name: 'evidence' }] });
    const { port } = await server.run();
    endpoint = `http://127.0.0.1:${port}`;
    await loadDivisions(getDb().db);
    cast = await createCast(createApp({ database: getDb(), config }), getDb().db, {
      code: uid('D'),
      name: '北海市大数据局',
      region_code: '450500',
    });
  });
  afterAll(async () => {
    await server?.close();
    await rm(directory, { recursive: true, force: true });
  });

  it('keeps the bytes in the bucket, not the row, and reads them back', async () => {
    const api = apiClient(createApp({ database: getDb(), config: s3() }));
    const bytes = pdf();
    const answer = await api.as(cast.callers.department).post('/api/v1/documents', fileForm(bytes, 'evidence.pdf'));
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    const [row] = await queryRows<{ storage: string; content: unknown; object_key: string }>(
      getDb(),
      sql`select storage, content, object_key from documents where id = ${String(answer.body.id)}`,
    );
    expect(row).toMatchObject({ storage: 's3', content: null, object_key: `documents/${answer.body.id}` });
    expect(existsSync(path.join(directory, 'evidence', 'documents'))).toBe(true);
    const got = await api.as(cast.callers.reviewer).get(`/api/v1/documents/${answer.body.id}`);
    expect(got.status).toBe(200);
    expect(Buffer.from(got.bytes).equals(Buffer.from(bytes))).toBe(true);
  });

  it('stores nothing when the bucket refuses or cannot be reached, and says so', async () => {
    const before = await queryRows<{ n: number }>(getDb(), sql`select count(*)::int as n from documents`);
    const objects = async () => (await readdir(path.join(directory, 'evidence'), { recursive: true })).length;
    const objectsBefore = await objects();
    const missingBucket = apiClient(createApp({ database: getDb(), config: s3({ YUNWANG_S3_BUCKET: 'no-such-bucket' }) }));
    const refused = await missingBucket.as(cast.callers.department).post('/api/v1/documents', fileForm(pdf(), 'a.pdf'));
    expect(refused.status).toBe(503);
    expect(refused.body.detail).toContain('NoSuchBucket');
    const down = apiClient(createApp({ database: getDb(), config: s3({ YUNWANG_S3_ENDPOINT: 'http://127.0.0.1:9' }) }));
    const unreachable = await down.as(cast.callers.department).post('/api/v1/documents', fileForm(pdf(), 'a.pdf'));
    expect(unreachable.status).toBe(503);
    expect(unreachable.body.detail).toContain('cannot be reached');
    expect(JSON.stringify(unreachable.body)).not.toContain('S3RVER');
    expect(await queryRows(getDb(), sql`select count(*)::int as n from documents`)).toEqual(before);
    expect(await objects()).toBe(objectsBefore);
  });

  it('prunes a never-attached upload from the bucket too', async () => {
    const config = { ...configDefaults, ...s3() };
    const api = apiClient(createApp({ database: getDb(), config }));
    const answer = await api.as(cast.callers.department).post('/api/v1/documents', fileForm(pdf(), 'left-behind.pdf'));
    expect(answer.status).toBe(201);
    const object = path.join(directory, 'evidence', 'documents', String(answer.body.id));
    const exists = async () =>
      (await readdir(path.join(directory, 'evidence', 'documents'))).some((f) => f.startsWith(String(answer.body.id)));
    expect(await exists()).toBe(true);
    await getDb().db.execute(sql`update documents set uploaded_at = now() - interval '2 days' where id = ${String(answer.body.id)}`);
    expect(await pruneUnattachedDocuments(getDb().db, documentStoreFrom(config), 24)).toBeGreaterThanOrEqual(1);
    expect(await exists(), object).toBe(false);
  });

  it('refuses to start with an endpoint but no bucket or keys', () => {
    expect(() => createApp({ database: getDb(), config: s3({ YUNWANG_S3_BUCKET: undefined }) })).toThrow(/YUNWANG_S3_BUCKET/);
  });
});
