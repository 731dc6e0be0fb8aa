import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { type AppEnv, booleanQuery, errorResponses } from '../http/router.ts';
import { exportVolumesFile, importVolumesFile, volumeSheetKind } from '../interconnection/volume-files.ts';
import { AppError } from '../kernel/errors.ts';
import { kindOf, recordKinds } from '../registry/kinds/index.ts';
import { detectFormat } from './format.ts';
import { sniffSource } from './grid.ts';
import { exportFile, importFile } from './service.ts';
import { receiveUpload } from './upload.ts';

/** The import and export routes of the registered record kinds (built when the app is). */
function fileRoutes(segments: [string, ...string[]]) {
  const KindParam = z.object({ kind: z.enum(segments).openapi({ description: 'What the file holds' }) });

  const ImportReportSchema = z
    .object({
      kind: z.enum(segments),
      rows: z.number().int(),
      created: z.number().int(),
      updated: z.number().int(),
      unchanged: z.number().int(),
      dry_run: z.boolean(),
    })
    .openapi('ImportReport');

  const importRoute = createRoute({
    method: 'post',
    path: '/api/v1/import/{kind}',
    operationId: 'importFile',
    tags: ['imports'],
    summary: 'Import a CSV or XLSX file, all-or-nothing (multipart field `file`)',
    request: {
      params: KindParam,
      query: z.object({ dry_run: booleanQuery.optional().openapi({ description: 'Check and count, write nothing' }) }),
      // A plain schema, not zod: the route then parses no form, and the handler streams the file to disk.
      body: {
        required: true,
        content: {
          'multipart/form-data': {
            schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' } }, required: ['file'] },
          },
        },
      },
    },
    responses: {
      200: { description: 'Imported (or, with dry_run, what would be)', content: { 'application/json': { schema: ImportReportSchema } } },
      415: errorResponses[422],
      ...errorResponses,
    },
  });

  const exportRoute = createRoute({
    method: 'get',
    path: '/api/v1/export/{kind}',
    operationId: 'exportFile',
    tags: ['imports'],
    summary: 'Export every record of a kind in the import format',
    request: { params: KindParam, query: z.object({ format: z.enum(['csv', 'xlsx']).default('csv') }) },
    responses: {
      200: {
        description: 'The file',
        content: {
          'text/csv': { schema: z.string() },
          'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { schema: z.string().openapi({ format: 'binary' }) },
        },
      },
      ...errorResponses,
    },
  });

  return { importRoute, exportRoute };
}

const contentTypes = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
} as const;

/** `limitBytes`: the largest upload (YUNWANG_IMPORT_LIMIT_BYTES), counted as it streams in. */
export function registerImportRoutes(app: OpenAPIHono<AppEnv>, limitBytes: number) {
  // The record kinds, and the files that are not records: the daily exchange counts.
  const [first, ...more] = [...recordKinds().map((kind) => kind.segment), volumeSheetKind];
  if (!first) throw new Error('no record kinds are registered');
  const { importRoute, exportRoute } = fileRoutes([first, ...more]);
  app.openapi(importRoute, async (c) => {
    const { kind } = c.req.valid('param');
    const { dry_run } = c.req.valid('query');
    const upload = await receiveUpload(c.req.raw, limitBytes);
    if (!upload) {
      throw new AppError('validation_failed', 'no file uploaded', [{ field: 'file', message: 'is required (multipart field "file")' }]);
    }
    try {
      const source = { path: upload.path };
      const format = detectFormat(upload.name, upload.type) ?? (await sniffSource(source));
      if (!format) throw new AppError('unsupported_media_type', `${upload.name || 'the file'} is neither CSV nor XLSX`);
      const options = { dryRun: dry_run, filename: upload.name };
      const report =
        kind === volumeSheetKind
          ? await importVolumesFile(c.get('db'), source, format, c.get('actor'), options)
          : await importFile(c.get('db'), kindOf(kind), source, format, c.get('actor'), options);
      return c.json(report, 200);
    } finally {
      await upload.dispose();
    }
  });

  app.openapi(exportRoute, async (c) => {
    const { kind } = c.req.valid('param');
    const { format } = c.req.valid('query');
    const body =
      kind === volumeSheetKind
        ? await exportVolumesFile(c.get('db'), format, c.get('actor'))
        : await exportFile(c.get('db'), kindOf(kind), format, c.get('actor'));
    return c.body(new Uint8Array(body), 200, {
      'Content-Type': contentTypes[format],
      'Content-Disposition': `attachment; filename="${kind}.${format}"`,
    });
  });
}
