import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** The closed set of error codes, each with its HTTP status and a title. */
const errorCodes = {
  bad_request: { status: 400, title: 'Bad request' },
  validation_failed: { status: 422, title: 'Validation failed' },
  import_rejected: { status: 422, title: 'Import rejected' },
  illegal_transition: { status: 409, title: 'Illegal state transition' },
  conflict: { status: 409, title: 'Conflict' },
  not_found: { status: 404, title: 'Not found' },
  unauthorized: { status: 401, title: 'Authentication required' },
  forbidden: { status: 403, title: 'Forbidden' },
  not_acceptable: { status: 406, title: 'Not acceptable' },
  payload_too_large: { status: 413, title: 'Payload too large' },
  unsupported_media_type: { status: 415, title: 'Unsupported media type' },
  too_many_requests: { status: 429, title: 'Too many requests', retryAfter: 1 },
  not_ready: { status: 503, title: 'Service not ready', retryAfter: 5 },
  unavailable: { status: 503, title: 'Service unavailable', retryAfter: 5 },
  internal: { status: 500, title: 'Internal server error' },
} as const satisfies Record<string, { status: ContentfulStatusCode; title: string; retryAfter?: number }>;

export type ErrorCode = keyof typeof errorCodes;

/** One thing wrong with the input: a field, and for files the row and column too. */
export interface FieldError {
  field: string;
  message: string;
  /** Spreadsheet row number (header = row 1), for file imports. */
  row?: number;
  /** Column header as written in the file. */
  column?: string;
  /** Index of the item in a batch. */
  index?: number;
}

/** The one error type of yunwang; the HTTP layer turns it into problem+json. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly errors: FieldError[];
  readonly #retryAfter: number | undefined;

  constructor(code: ErrorCode, detail: string, errors: FieldError[] = [], options: { retryAfterSeconds?: number } = {}) {
    super(detail);
    this.name = 'AppError';
    this.code = code;
    this.errors = errors;
    this.#retryAfter = options.retryAfterSeconds;
  }

  /** Seconds a client should wait before retrying (the Retry-After header), for 429 and 503. */
  get retryAfterSeconds(): number | undefined {
    const entry = errorCodes[this.code];
    return this.#retryAfter ?? ('retryAfter' in entry ? entry.retryAfter : undefined);
  }

  get status(): ContentfulStatusCode {
    return errorCodes[this.code].status;
  }

  get title(): string {
    return errorCodes[this.code].title;
  }
}

export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  requestId?: string;
  errors?: FieldError[];
}

export function toProblem(error: AppError, requestId?: string): ProblemDetails {
  return {
    type: `https://yunwang.gov/problems/${error.code}`,
    title: error.title,
    status: error.status,
    detail: error.message,
    code: error.code,
    ...(requestId ? { requestId } : {}),
    ...(error.errors.length > 0 ? { errors: error.errors } : {}),
  };
}

export const notFound = (what: string, code: string) => new AppError('not_found', `${what} ${code} does not exist`);

/**
 * SQLSTATEs by which the database refuses a value itself: out of range for its column, text
 * with a NUL byte, a malformed number or date. Such a value is input that validation let
 * through, so the caller gets a 422 rather than a 500. Other data exceptions (a division by
 * zero, say) are our own bugs and stay 500s.
 */
const refusedValueStates = new Set([
  '22001', // string_data_right_truncation
  '22003', // numeric_value_out_of_range
  '22007', // invalid_datetime_format
  '22008', // datetime_field_overflow
  '22021', // character_not_in_repertoire (a NUL byte in text)
  '22P02', // invalid_text_representation
  '22P05', // untranslatable_character (\u0000 in jsonb turned into text)
]);

/** The SQLSTATE of a driver error, or of the error a query error wraps (drizzle's `cause`). */
function sqlStateOf(error: unknown): string | undefined {
  let current = error;
  for (let depth = 0; depth < 3 && current && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Whether a database error is a unique violation (SQLSTATE 23505): a concurrent insert of the same key won. */
export function isUniqueViolation(error: unknown): boolean {
  return sqlStateOf(error) === '23505';
}

/**
 * The AppError for a database error caused by the caller's input, or null. The database's
 * message is not passed on: it quotes the value and names tables and columns.
 */
export function fromDatabaseError(error: unknown): AppError | null {
  const state = sqlStateOf(error);
  if (!state || !refusedValueStates.has(state)) return null;
  return new AppError('validation_failed', 'a value is out of range or not storable (too large, too small, or holding a NUL character)');
}
