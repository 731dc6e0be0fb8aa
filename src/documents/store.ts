import { AwsClient } from 'aws4fetch';
import type { Config } from '../config.ts';
import { AppError } from '../kernel/errors.ts';

/**
 * Where documents' bytes live. The database store keeps them in the document's own row (the
 * embedded default, and PostgreSQL when no bucket is configured), so it has nothing to do here;
 * the S3 store puts each document in the bucket under its id.
 */
export interface DocumentStore {
  readonly kind: 'database' | 's3';
  /** Stores the bytes under a key; the document row is written only after this succeeded. */
  put(key: string, bytes: Uint8Array, mediaType: string): Promise<void>;
  get(key: string): Promise<Uint8Array>;
  /** Removes what put stored, when the row that would have named it was not written. */
  remove(key: string): Promise<void>;
}

export const databaseStore: DocumentStore = {
  kind: 'database',
  put: async () => {},
  get: async () => {
    throw new Error('a database-stored document is read from its row');
  },
  remove: async () => {},
};

type S3Settings = Pick<
  Config,
  'YUNWANG_S3_ENDPOINT' | 'YUNWANG_S3_BUCKET' | 'YUNWANG_S3_REGION' | 'YUNWANG_S3_ACCESS_KEY_ID' | 'YUNWANG_S3_SECRET_ACCESS_KEY'
>;

/** How long one object-storage request may take before the upload or download fails. */
const s3TimeoutMs = 30_000;

/** An S3-compatible bucket (MinIO, Ceph RGW, a cloud's object storage), path-style, signed with SigV4. */
export function s3Store(settings: S3Settings): DocumentStore {
  const { YUNWANG_S3_ENDPOINT: endpoint, YUNWANG_S3_BUCKET: bucket } = settings;
  const missing = (
    [
      ['YUNWANG_S3_BUCKET', bucket],
      ['YUNWANG_S3_ACCESS_KEY_ID', settings.YUNWANG_S3_ACCESS_KEY_ID],
      ['YUNWANG_S3_SECRET_ACCESS_KEY', settings.YUNWANG_S3_SECRET_ACCESS_KEY],
    ] as const
  )
    .filter(([, value]) => !value)
    .map(([name]) => name);
  if (!endpoint || missing.length > 0) {
    throw new Error(`invalid configuration: YUNWANG_S3_ENDPOINT is set, but ${missing.join(', ')} is not`);
  }
  const client = new AwsClient({
    accessKeyId: settings.YUNWANG_S3_ACCESS_KEY_ID as string,
    secretAccessKey: settings.YUNWANG_S3_SECRET_ACCESS_KEY as string,
    service: 's3',
    region: settings.YUNWANG_S3_REGION,
  });
  const url = (key: string) => `${endpoint.replace(/\/+$/, '')}/${encodeURIComponent(bucket as string)}/${key}`;
  const call = async (method: string, key: string, init: { body?: BodyInit; headers?: Record<string, string> } = {}) => {
    let response: Response;
    try {
      response = await client.fetch(url(key), { method, ...init, signal: AbortSignal.timeout(s3TimeoutMs) });
    } catch (error) {
      // The endpoint and the cause, never the credentials.
      throw new AppError('unavailable', `the document store (${endpoint}) cannot be reached: ${(error as Error).message}`);
    }
    if (!response.ok && !(method === 'DELETE' && response.status === 404)) {
      const text = (await response.text()).slice(0, 300);
      const code = /<Code>([^<]+)<\/Code>/.exec(text)?.[1] ?? text;
      throw new AppError('unavailable', `the document store answered ${method} with ${response.status} ${code}`);
    }
    return response;
  };
  return {
    kind: 's3',
    put: async (key, bytes, mediaType) => {
      await call('PUT', key, { body: bytes as Uint8Array<ArrayBuffer>, headers: { 'Content-Type': mediaType } });
    },
    get: async (key) => new Uint8Array(await (await call('GET', key)).arrayBuffer()),
    remove: async (key) => {
      await call('DELETE', key);
    },
  };
}

/** The store the configuration names: S3 when YUNWANG_S3_ENDPOINT is set, else the database. */
export function documentStoreFrom(config: S3Settings): DocumentStore {
  return config.YUNWANG_S3_ENDPOINT ? s3Store(config) : databaseStore;
}
