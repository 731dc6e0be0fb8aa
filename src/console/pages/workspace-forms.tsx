import type { AnyRecordKind } from '../../registry/kinds/index.ts';
import { ChoiceField } from '../components/choices.tsx';
import { Panel } from '../components/panel.tsx';
import { RecordForm } from '../components/record-form.tsx';
import { catalogue, type Lang } from '../i18n.ts';
import { kindTitle } from '../kinds.ts';

const t = catalogue(
  {
    register: '登记',
    import: '批量导入',
    kind: '数据类型',
    file: '表格文件（CSV 或 XLSX）',
    preview: '预览（不写入）',
    confirm: '确认导入',
    export: '导出 XLSX',
  },
  {
    register: 'Register',
    import: 'Import a spreadsheet',
    kind: 'What the file holds',
    file: 'Spreadsheet (CSV or XLSX)',
    preview: 'Preview (writes nothing)',
    confirm: 'Confirm the import',
    export: 'Export XLSX',
  },
);

export interface WorkspaceFormsProps {
  kinds: readonly AnyRecordKind[];
  lang: Lang;
  csrf?: string;
  departments: readonly { code: string; name: string }[];
  department: string;
}

/**
 * A create form for each kind the department owns, the first one open (`#register-form`), the
 * others folded away until asked for.
 */
export function RegisterPanel(props: WorkspaceFormsProps) {
  const m = t(props.lang);
  return (
    <Panel id="register" title={m.register}>
      {props.kinds.map((kind, index) => (
        <details class="register" open={index === 0}>
          <summary>{kindTitle(kind, props.lang)}</summary>
          <RecordForm
            kind={kind}
            id={index === 0 ? 'register-form' : `register-form-${kind.segment}`}
            lang={props.lang}
            csrf={props.csrf}
            departments={props.departments}
            department={props.department}
          />
        </details>
      ))}
    </Panel>
  );
}

/** The spreadsheet import (previewed first by workspace.js) and each owned kind's export. */
export function ImportPanel(props: Pick<WorkspaceFormsProps, 'kinds' | 'lang'>) {
  const m = t(props.lang);
  return (
    <Panel id="import" title={m.import}>
      <form id="import-form" class="stack">
        <ChoiceField label={m.kind} name="kind" choices={props.kinds.map((k) => ({ value: k.segment, label: kindTitle(k, props.lang) }))} />
        <label>
          {m.file}
          <input
            type="file"
            name="file"
            accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            required
          />
        </label>
        <div class="buttons">
          <button type="submit" id="import-preview">
            {m.preview}
          </button>
          <button type="button" id="import-confirm" hidden>
            {m.confirm}
          </button>
        </div>
        <div id="import-result" class="result" role="status" aria-live="polite" />
      </form>
      <p class="exports">
        {props.kinds.map((k) => (
          <a href={`/api/v1/export/${k.segment}?format=xlsx`} download>
            {m.export} · {kindTitle(k, props.lang)}
          </a>
        ))}
      </p>
    </Panel>
  );
}
