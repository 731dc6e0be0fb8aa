import { z } from '@hono/zod-openapi';
import { maxDocumentsPerSubject } from './links.ts';

export const DocumentSchema = z
  .object({
    id: z.string().openapi({ description: 'Random: an address tells nothing of another document' }),
    name: z.string().openapi({ description: 'The file name as uploaded, without any path' }),
    media_type: z.string().openapi({ description: 'The type its bytes show, whatever its name says' }),
    bytes: z.number().int(),
    sha256: z.string().openapi({ description: 'Hex SHA-256 of the bytes, checked again at every download' }),
  })
  .openapi('Document');

/** The ids of documents to attach, as uploaded with POST /api/v1/documents. */
export const documentIds = z
  .array(z.uuid('must be a document id from POST /api/v1/documents'))
  .max(maxDocumentsPerSubject)
  .optional()
  .openapi({ description: `认定依据: documents uploaded with POST /api/v1/documents (at most ${maxDocumentsPerSubject})` });
