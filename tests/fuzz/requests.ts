/**
 * Fuzzed requests for one OpenAPI operation: path parameters, query strings and bodies that
 * are valid (from the dataset's pools or the schema), at the bounds, or malformed.
 */
import fc from 'fast-check';
import { type JsonSchema, malformedString, nastyStrings, SchemaReader } from './schema-arbitraries.ts';

export interface OpenApiParameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: JsonSchema;
}

export interface OpenApiOperation {
  operationId?: string;
  parameters?: OpenApiParameter[];
  requestBody?: { content: Record<string, { schema?: JsonSchema }> };
}

export interface Operation {
  operationId: string;
  method: string;
  template: string;
  spec: OpenApiOperation;
}

export interface GeneratedRequest {
  /** Path and query as sent (percent-encoded, or deliberately not). */
  url: string;
  pathValues: string[];
  query: Record<string, string>;
  /** The JSON value the body holds, when it is JSON. */
  body: unknown;
  init: { headers: Record<string, string>; body?: string | FormData };
}

type GeneratedBody = { json: unknown; init: GeneratedRequest['init'] };

/**
 * Encodes a value for a URL, or on purpose sends it raw (`%`, `%2e%2e` as they are). A lone
 * surrogate has no UTF-8 form: it goes as U+FFFD, as a browser would send it.
 */
const encoded = (value: string, raw: boolean): string =>
  raw && !/[/?#\s]/.test(value)
    ? value
    : encodeURIComponent(value.replace(/\p{Cs}/gu, '\uFFFD')).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16)}`);

const malformedNumberish = fc.constantFrom(
  '-1',
  '0',
  '1.5',
  '1e309',
  '-0',
  '9007199254740993',
  '99999999999999999999',
  'NaN',
  '0x1F',
  ' 1',
);

export class RequestGenerator {
  private readonly reader: SchemaReader;

  constructor(
    components: Record<string, JsonSchema>,
    private readonly pathPools: Record<string, string[]>,
    fieldPools: Record<string, string[]>,
  ) {
    this.reader = new SchemaReader(components, fieldPools);
  }

  forOperation(op: Operation): fc.Arbitrary<GeneratedRequest> {
    const collection = op.template.split('/')[3] ?? '';
    const params = op.spec.parameters ?? [];
    const pathParams = params.filter((p) => p.in === 'path');
    const queryParams = params.filter((p) => p.in === 'query');

    const pathArb = fc.tuple(...pathParams.map((p) => fc.tuple(this.pathValue(p, collection), fc.boolean()))) as fc.Arbitrary<
      [string, boolean][]
    >;
    const queryArb = fc.tuple(...queryParams.map((p) => this.queryValue(p))) as fc.Arbitrary<(string | undefined)[]>;
    // A GET or DELETE carries no body here (fetch refuses one on GET).
    const bodyArb =
      op.method === 'GET' || op.method === 'DELETE'
        ? fc.constant<GeneratedBody>({ json: undefined, init: { headers: {} } })
        : this.body(op);

    return fc.tuple(pathArb, queryArb, bodyArb, fc.boolean()).map(([pathValues, queryValues, body, rawQuery]) => {
      let path = op.template;
      pathParams.forEach((p, i) => {
        const [value, raw] = pathValues[i] ?? ['', false];
        path = path.replace(`{${p.name}}`, encoded(value, raw));
      });
      const query: Record<string, string> = {};
      const parts: string[] = [];
      queryParams.forEach((p, i) => {
        const value = queryValues[i];
        if (value === undefined) return;
        query[p.name] = value;
        parts.push(`${encodeURIComponent(p.name)}=${encoded(value, rawQuery)}`);
      });
      const url = parts.length > 0 ? `${path}?${parts.join('&')}` : path;
      return { url, pathValues: pathValues.map(([v]) => v), query, body: body.json, init: body.init };
    });
  }

  private pathValue(p: OpenApiParameter, collection: string): fc.Arbitrary<string> {
    const pool = this.pathPools[`${collection}.${p.name}`] ?? [];
    const fromSchema = this.reader.valid(p.schema ?? { type: 'string' }, p.name).map(String);
    return fc.oneof(
      ...(pool.length > 0 ? [{ weight: 5, arbitrary: fc.constantFrom(...pool) }] : []),
      { weight: 2, arbitrary: fromSchema },
      { weight: 3, arbitrary: malformedString.filter((s) => s.length > 0) },
      { weight: 1, arbitrary: malformedNumberish },
    );
  }

  private queryValue(p: OpenApiParameter): fc.Arbitrary<string | undefined> {
    const schema = p.schema ?? { type: 'string' };
    const valid = this.reader.valid(schema, p.name).map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
    return fc.oneof(
      { weight: p.required ? 1 : 4, arbitrary: fc.constant(undefined) },
      { weight: 6, arbitrary: valid },
      { weight: 3, arbitrary: malformedString },
      { weight: 1, arbitrary: malformedNumberish },
    );
  }

  private body(op: Operation): fc.Arbitrary<GeneratedBody> {
    const content = op.spec.requestBody?.content ?? {};
    if (content['multipart/form-data']) return this.multipart();
    const schema = content['application/json']?.schema;
    const noBody: fc.Arbitrary<GeneratedBody> = fc.constant({ json: undefined, init: { headers: {} } });
    if (!schema) {
      // Operations without a body still get one now and then.
      return fc.oneof({ weight: 4, arbitrary: noBody }, { weight: 1, arbitrary: this.jsonBody(fc.jsonValue({ maxDepth: 2 })) });
    }
    const junkText = fc.constantFrom('{', '{"a":', 'null', '[]', '""', '\uFEFF{}', '{"__proto__":{"admin":true}}', 'x'.repeat(5000));
    return fc.oneof(
      { weight: 5, arbitrary: this.jsonBody(this.reader.valid(schema)) },
      { weight: 4, arbitrary: this.jsonBody(this.reader.malformed(schema)) },
      {
        weight: 1,
        arbitrary: junkText.map((text) => ({ json: text, init: { headers: { 'Content-Type': 'application/json' }, body: text } })),
      },
      {
        weight: 1,
        arbitrary: this.reader.valid(schema).chain((value) =>
          fc
            .constantFrom('text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1', '')
            .map((type): GeneratedBody => {
              const headers: Record<string, string> = type ? { 'Content-Type': type } : {};
              return { json: value, init: { headers, body: JSON.stringify(value) ?? '' } };
            }),
        ),
      },
      { weight: 1, arbitrary: noBody },
    );
  }

  private jsonBody(values: fc.Arbitrary<unknown>): fc.Arbitrary<GeneratedBody> {
    return values.map((json) => ({
      json,
      init: { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(json) ?? 'null' },
    }));
  }

  /** An import: a small CSV with the kind's plausible headers and fuzzed cells, or junk bytes, or no file. */
  private multipart(): fc.Arbitrary<GeneratedBody> {
    // Cells stay short: long header cells are the import ReDoS (issue 14 item 2), owned elsewhere.
    const cell = fc.oneof(
      fc.constantFrom(...nastyStrings.filter((s) => s.length < 64)),
      fc.string({ unit: 'grapheme', maxLength: 30 }),
      fc.constantFrom('=1+1', '@SUM(A1)', '"a,b"', '\r\n'),
    );
    const header = fc.constantFrom('code,name,department_code', 'code,name,region_code,kind', '编码,名称,部门编码', 'code', '');
    const csv = fc
      .tuple(header, fc.array(fc.array(cell, { maxLength: 5 }), { maxLength: 6 }))
      .map(([h, rows]) => `${h}\r\n${rows.map((r) => r.map((c) => `"${c.replaceAll('"', '""')}"`).join(',')).join('\r\n')}\r\n`);
    const file = fc.oneof(
      { weight: 4, arbitrary: csv.map((text) => ({ name: 'fuzz.csv', bytes: new TextEncoder().encode(text) })) },
      { weight: 1, arbitrary: fc.uint8Array({ maxLength: 512 }).map((bytes) => ({ name: 'fuzz.xlsx', bytes })) },
      { weight: 1, arbitrary: fc.uint8Array({ maxLength: 512 }).map((bytes) => ({ name: 'fuzz.bin', bytes })) },
    );
    return fc.oneof(
      {
        weight: 5,
        arbitrary: file.map(({ name, bytes }) => {
          const form = new FormData();
          form.append('file', new File([bytes], name));
          return { json: { file: name }, init: { headers: {}, body: form } };
        }),
      },
      {
        weight: 1,
        arbitrary: malformedString.map((text) => {
          const form = new FormData();
          form.append('file', text);
          return { json: { file: 'text' }, init: { headers: {}, body: form } };
        }),
      },
      { weight: 1, arbitrary: this.jsonBody(fc.jsonValue({ maxDepth: 1 })) },
    );
  }
}
