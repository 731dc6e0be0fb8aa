import { type OpenAPIHono, z } from '@hono/zod-openapi';
import { json, problem, routesTagged } from '../http/route.ts';
import type { AppEnv } from '../http/router.ts';
import { AppError } from '../kernel/errors.ts';
import { DocumentSchema } from './schemas.ts';
import { downloadDocument, uploadDocument } from './service.ts';
import { allowedTypeNames } from './sniff.ts';
import type { DocumentStore } from './store.ts';

const route = routesTagged('documents');

const uploadRoute = route.post('/api/v1/documents', 'uploadDocument', {
  summary: `Upload evidence (认定依据): ${allowedTypeNames}, the type checked from the bytes (multipart field \`file\`)`,
  body: {
    required: true,
    content: { 'multipart/form-data': { schema: z.object({ file: z.any().openapi({ type: 'string', format: 'binary' }) }) } },
  },
  responses: {
    201: json('The document, to attach by its id', DocumentSchema),
    415: problem('The content is not an allowed type (named in `detail`)'),
  },
});

const downloadRoute = route.get('/api/v1/documents/{id}', 'getDocument', {
  summary: 'Download a document: reviewers, auditors, its uploader and the department owning what it is attached to',
  params: z.object({ id: z.string().max(64) }),
  responses: {
    200: {
      description: 'The bytes as uploaded',
      content: { 'application/octet-stream': { schema: z.string().openapi({ format: 'binary' }) } },
    },
  },
});

/** RFC 6266: an ASCII fallback and the UTF-8 name (Chinese file names survive the download). */
function attachment(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

export function registerDocumentRoutes(app: OpenAPIHono<AppEnv>, store: DocumentStore, limitBytes: number) {
  app.openapi(uploadRoute, async (c) => {
    // The route's form validator has already parsed the multipart body, within the body limit.
    const { file } = c.req.valid('form');
    if (!(file instanceof File)) {
      throw new AppError('validation_failed', 'no file uploaded', [{ field: 'file', message: 'is required (multipart field "file")' }]);
    }
    const bytes = new Uint8Array(await file.arrayBuffer());
    return c.json(await uploadDocument(c.get('db'), store, { name: file.name, bytes }, limitBytes, c.get('actor')), 201);
  });
  app.openapi(downloadRoute, async (c) => {
    const document = await downloadDocument(c.get('db'), store, c.req.valid('param').id, c.get('actor'));
    return c.body(document.content as Uint8Array<ArrayBuffer>, 200, {
      'Content-Type': document.media_type,
      'Content-Disposition': attachment(document.name),
      'Content-Length': String(document.bytes),
      'Cache-Control': 'private, no-store',
      'X-Content-SHA256': document.sha256,
    });
  });
}
