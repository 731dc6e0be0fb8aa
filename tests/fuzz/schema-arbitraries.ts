/**
 * fast-check arbitraries derived from the JSON Schemas of the app's own OpenAPI document:
 * values that conform (with a bias to the bounds), and values that do not (wrong types,
 * missing required fields, extra fields, huge and unicode strings, out-of-range numbers,
 * impossible dates). Only the subset of JSON Schema that zod's OpenAPI output uses is read.
 */
import fc from 'fast-check';

export interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  default?: unknown;
}

/**
 * Strings known to the dataset (record codes, scopes, dates), offered where a schema asks for
 * a string of that field name so that valid requests reach past "not found".
 */
export type ValuePools = Record<string, readonly string[]>;

/** Strings that have broken parsers, paths and SQL before. */
export const nastyStrings: readonly string[] = [
  '',
  ' ',
  '%',
  '%25',
  '%2e%2e',
  '..',
  '../..',
  '%2e%2e%2f%2e%2e',
  '_',
  '%_%',
  '\\',
  "'",
  '"',
  "' OR 1=1 --",
  '\u0000',
  '\uFEFF',
  '\uD800',
  '𠀀𠀁',
  '政务云',
  'null',
  'undefined',
  'NaN',
  'Infinity',
  '-1',
  '0',
  '1e309',
  '99999999999999999999999',
  '-9223372036854775809',
  '0x10',
  'true',
  '[]',
  '{}',
  '2020-02-30',
  '2020-13-01',
  '0000-00-00',
  '9999-12-31',
  '-2020-01-01',
  '2020-01-01T25:61:61Z',
  '1970-01-01T00:00:00.000Z',
  '275760-09-13',
  'dept:',
  'region:',
  'dept:%',
  'region:_',
];

/** Dates and date-times that parse but sit at the edges, and some that do not parse. */
const dateStrings = fc.constantFrom(
  '2020-06-30',
  '2019-01-01',
  '1900-01-01',
  '2999-12-31',
  '0001-01-01',
  '2020-02-29',
  '2021-02-29',
  '2020-00-10',
  '2020-1-1',
);

const unicodeString = (max: number) => fc.string({ unit: 'binary', maxLength: max });

/** A huge string: beyond every maxLength the API declares, short enough not to hit the body limit. */
export const hugeString = fc.constantFrom(10_000, 100_000).chain((n) => fc.constantFrom('A', '政', '%', '_').map((c) => c.repeat(n)));

export const malformedString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...nastyStrings) },
  { weight: 3, arbitrary: unicodeString(40) },
  { weight: 1, arbitrary: hugeString },
  { weight: 2, arbitrary: fc.string({ maxLength: 20 }) },
);

const typesOf = (schema: JsonSchema): string[] =>
  schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];

/** Resolves `$ref` and `allOf` against the document's components. */
export class SchemaReader {
  constructor(
    private readonly components: Record<string, JsonSchema>,
    private readonly pools: ValuePools,
  ) {}

  resolve(schema: JsonSchema): JsonSchema {
    if (schema.$ref) {
      const name = schema.$ref.replace('#/components/schemas/', '');
      const target = this.components[name];
      if (!target) throw new Error(`unknown schema ${schema.$ref}`);
      return this.resolve(target);
    }
    if (schema.allOf) {
      const parts = schema.allOf.map((s) => this.resolve(s));
      return {
        type: 'object',
        properties: Object.assign({}, ...parts.map((p) => p.properties ?? {})),
        required: parts.flatMap((p) => p.required ?? []),
      };
    }
    return schema;
  }

  /** Conforming values, biased to the bounds; `field` picks a dataset pool when there is one. */
  valid(raw: JsonSchema, field = '', depth = 0): fc.Arbitrary<unknown> {
    const schema = this.resolve(raw);
    if (schema.const !== undefined) return fc.constant(schema.const);
    if (schema.enum) return fc.constantFrom(...schema.enum);
    const variants = schema.anyOf ?? schema.oneOf;
    if (variants) return fc.oneof(...variants.map((v) => this.valid(v, field, depth)));
    const types = typesOf(schema);
    if (types.length > 1) return fc.oneof(...types.map((t) => this.valid({ ...schema, type: t }, field, depth)));
    switch (types[0]) {
      case 'null':
        return fc.constant(null);
      case 'boolean':
        return fc.boolean();
      case 'integer':
      case 'number':
        return this.number(schema, types[0] === 'integer');
      case 'string':
        return this.string(schema, field);
      case 'array': {
        const max = Math.min(schema.maxItems ?? 4, 4);
        const min = Math.min(schema.minItems ?? 0, max);
        return depth > 3 ? fc.constant([]) : fc.array(this.valid(schema.items ?? {}, field, depth + 1), { minLength: min, maxLength: max });
      }
      case 'object':
        return depth > 3 ? fc.constant({}) : this.object(schema, depth);
      default:
        return fc.jsonValue({ maxDepth: 2 });
    }
  }

  /** Values that break the schema somewhere: the whole value, or one field of an object. */
  malformed(raw: JsonSchema, depth = 0): fc.Arbitrary<unknown> {
    const schema = this.resolve(raw);
    const wrongType = fc.oneof(
      fc.constantFrom(null, true, 0, -1, 1e308, -1e308, 2 ** 53 + 1, 'x', [], {}, [null], { '': '' }),
      malformedString,
      fc.jsonValue({ maxDepth: 3 }),
    );
    const props = schema.properties;
    if (!props || depth > 2 || typesOf(schema)[0] !== 'object') return wrongType;
    const names = Object.keys(props);
    const required = schema.required ?? [];
    const base = this.object(schema, depth) as fc.Arbitrary<Record<string, unknown>>;
    const mutations: fc.Arbitrary<unknown>[] = [
      wrongType,
      // One field wrong (a wrong type, or malformed inside).
      ...(names.length > 0
        ? [
            fc
              .tuple(base, fc.constantFrom(...names))
              .chain(([value, name]) =>
                fc.oneof(wrongType, this.malformed(props[name] ?? {}, depth + 1)).map((bad) => ({ ...value, [name]: bad })),
              ),
          ]
        : []),
      // A required field missing.
      ...(required.length > 0
        ? [
            fc.tuple(base, fc.constantFrom(...required)).map(([value, name]) => {
              const { [name]: _dropped, ...rest } = value;
              return rest;
            }),
          ]
        : []),
      // Extra fields, including ones that look like privileges.
      fc
        .tuple(base, fc.constantFrom('id', 'roles', 'role', 'department_code', '__proto__', 'constructor', 'is_admin', '政务'), wrongType)
        .map(([value, key, extra]) => ({ ...value, [key]: extra })),
    ];
    return fc.oneof(...mutations);
  }

  private object(schema: JsonSchema, depth: number): fc.Arbitrary<Record<string, unknown>> {
    const props = schema.properties ?? {};
    const record: Record<string, fc.Arbitrary<unknown>> = {};
    for (const [name, prop] of Object.entries(props)) record[name] = this.valid(prop, name, depth + 1);
    const requiredKeys = (schema.required ?? []).filter((k) => k in record);
    return fc.record(record, { requiredKeys }) as fc.Arbitrary<Record<string, unknown>>;
  }

  private number(schema: JsonSchema, integer: boolean): fc.Arbitrary<number> {
    const min = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + (integer ? 1 : 1e-9) : undefined);
    const max = schema.maximum ?? (schema.exclusiveMaximum !== undefined ? schema.exclusiveMaximum - (integer ? 1 : 1e-9) : undefined);
    const edges = [min, max, min === undefined ? -1 : undefined, 0, 1].filter((v): v is number => v !== undefined);
    const inRange = integer
      ? fc.integer({ min: Math.max(min ?? -1_000_000, Number.MIN_SAFE_INTEGER), max: Math.min(max ?? 1_000_000, Number.MAX_SAFE_INTEGER) })
      : fc.double({ min: min ?? -1e6, max: max ?? 1e6, noNaN: true, noDefaultInfinity: true });
    return fc
      .oneof({ weight: 3, arbitrary: inRange }, { weight: 1, arbitrary: fc.constantFrom(...edges) })
      .filter((n) => (min === undefined || n >= min) && (max === undefined || n <= max));
  }

  private string(schema: JsonSchema, field: string): fc.Arbitrary<string> {
    const pool = this.pools[field];
    const minLength = schema.minLength ?? 0;
    const maxLength = Math.min(schema.maxLength ?? 64, 300);
    let free: fc.Arbitrary<string>;
    if (schema.format === 'date-time') {
      free = fc
        .date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true })
        .map((d) => d.toISOString());
    } else if (schema.format === 'date' || schema.pattern === '^\\d{4}-\\d{2}-\\d{2}$') {
      free = dateStrings;
    } else if (schema.format === 'uri' || schema.format === 'url') {
      // Never a real host: nothing may leave the machine.
      free = fc.constantFrom('http://127.0.0.1:9/fuzz', 'https://localhost:9/x');
    } else if (schema.format === 'email') {
      free = fc.constantFrom('fuzz@example.invalid', 'a@b.invalid');
    } else if (schema.pattern) {
      let regex: RegExp | undefined;
      try {
        regex = new RegExp(schema.pattern);
      } catch {
        regex = undefined;
      }
      free = regex
        ? fc.stringMatching(regex).filter((s) => s.length >= minLength && s.length <= maxLength)
        : fc.string({ minLength, maxLength });
    } else {
      free = fc.oneof(
        fc.string({ unit: 'grapheme', minLength, maxLength: Math.min(maxLength, 40) }),
        fc.constantFrom(...[minLength, maxLength].map((n) => '政'.repeat(Math.max(n, 0)))).filter((s) => s.length >= minLength),
      );
    }
    return pool && pool.length > 0 ? fc.oneof({ weight: 2, arbitrary: fc.constantFrom(...pool) }, { weight: 1, arbitrary: free }) : free;
  }
}
