import { z } from '@hono/zod-openapi';
import type { AnyRecordKind, ColumnSpec } from '../../registry/kinds/index.ts';
import { ApiForm, booleansField } from '../forms.tsx';
import { catalogue, indicatorName, type Lang } from '../i18n.ts';
import { columnLabel, columnValue } from '../kinds.ts';
import { ChoiceField } from './choices.tsx';
import { SubmitRow } from './submit.tsx';

const t = catalogue(
  {
    department: '部门',
    save: '登记',
    certified: '密级由大数据发展局审核人员认定（认定前为“待认定”，不计入{indicator}）。',
  },
  {
    department: 'Department',
    save: 'Register',
    certified: 'The classification is certified by the big-data bureau’s reviewers (until then “pending”, outside {indicator}).',
  },
);

export interface RecordFormProps {
  kind: AnyRecordKind;
  id: string;
  lang: Lang;
  csrf?: string;
  /** The departments the caller may register for; their own is selected. */
  departments: readonly { code: string; name: string }[];
  department: string;
}

/** What the kind's input schema says of one field, as JSON Schema. */
interface FieldSchema {
  maxLength?: number;
}

interface InputSchema {
  properties: Record<string, FieldSchema>;
  required?: string[];
}

const inputSchemas = new WeakMap<AnyRecordKind, InputSchema>();

/** The kind's input schema as JSON Schema, read once: which fields are required (a default makes one optional), how long. */
function inputSchemaOf(kind: AnyRecordKind): InputSchema {
  let schema = inputSchemas.get(kind);
  if (!schema) {
    schema = z.toJSONSchema(kind.schemas.input, { io: 'input' }) as unknown as InputSchema;
    inputSchemas.set(kind, schema);
  }
  return schema;
}

/**
 * The fields a department fills in to create a record: those the API cannot do without. The
 * rest take their defaults — the lifecycle's initial state (moved by the transition form), a
 * pending classification (certified by a reviewer) — or come later through the import.
 */
const creationColumns = (kind: AnyRecordKind): ColumnSpec[] => {
  const required = inputSchemaOf(kind).required ?? [];
  return kind.columns.filter((column) => required.includes(column.field));
};

/**
 * A kind's create form, derived from its descriptor: text and dates as inputs, enumerations and
 * yes/no facts as selects in the reader's language, the department as the page's department
 * select. The API's schema says which fields there are and how long they may be.
 */
export function RecordForm(props: RecordFormProps) {
  const { kind, lang } = props;
  const m = t(lang);
  const schema = inputSchemaOf(kind);
  const columns = creationColumns(kind);
  const booleans = columns.filter((column) => column.type === 'boolean').map((column) => column.field);
  const field = (column: ColumnSpec) => {
    const label = columnLabel(column, lang);
    if (column.field === 'department_code') {
      const choices = props.departments.map((d) => ({ value: d.code, label: `${d.name} (${d.code})` }));
      return <ChoiceField label={m.department} name={column.field} choices={choices} selected={props.department} />;
    }
    if (column.type === 'enum' || column.type === 'boolean') {
      const values = column.type === 'enum' ? Object.keys(column.values) : ['true', 'false'];
      const choices = values.map((value) => ({ value, label: columnValue(column, value, lang) }));
      return <ChoiceField label={label} name={column.field} choices={choices} />;
    }
    return (
      <label>
        {label}
        <input
          type={column.type === 'date' ? 'date' : undefined}
          name={column.field}
          required
          maxlength={schema.properties[column.field]?.maxLength}
          autocomplete="off"
        />
      </label>
    );
  };
  return (
    <ApiForm
      id={props.id}
      class="stack"
      api={`/api/v1/${kind.segment}`}
      next={`/console/workspace/${kind.segment}/{code}`}
      csrf={props.csrf}
    >
      {booleans.length > 0 ? booleansField(booleans) : null}
      {columns.map(field)}
      {kind.lifecycle.classified ? (
        <p class="hint">{m.certified.replace('{indicator}', indicatorName(kind.indicators[0] ?? '', lang))}</p>
      ) : null}
      <SubmitRow label={m.save} />
    </ApiForm>
  );
}
