// The department's spreadsheet import: a dry run first (nothing written) showing every bad
// row, then the same file again to write it. CSV files are also previewed row by row.
import { api, lang, showOk, showProblem } from './common.js';

const text = {
  zh: {
    previewOk: '预览通过：共 {rows} 行，将新增 {created}，更新 {updated}，不变 {unchanged}。尚未写入任何数据。',
    rejected: '文件有误，未写入任何数据。请修改标出的行后重新预览。',
    imported: '已导入：新增 {created}，更新 {updated}，不变 {unchanged}。',
    reload: '刷新列表',
    row: '行',
    problems: '问题',
  },
  en: {
    previewOk: 'Preview passed: {rows} rows, {created} to create, {updated} to update, {unchanged} unchanged. Nothing written yet.',
    rejected: 'The file has errors; nothing was written. Fix the marked rows and preview again.',
    imported: 'Imported: {created} created, {updated} updated, {unchanged} unchanged.',
    reload: 'Refresh the lists',
    row: 'Row',
    problems: 'Problems',
  },
}[lang];

const fill = (template, values) => template.replace(/\{(\w+)\}/g, (_, k) => String(values[k] ?? ''));

/** A small CSV reader (quotes, doubled quotes, CRLF) for the preview only; the server parses for real. */
function parseCsv(source) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  const input = source.replace(/^\uFEFF/, '');
  for (let i = 0; i < input.length; i++) {
    const ch = input[i];
    if (quoted) {
      if (ch === '"' && input[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && input[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** The file's rows as a table, spreadsheet row numbers first, the refused rows marked. */
function previewTable(rows, errors) {
  const byRow = new Map();
  for (const e of errors) byRow.set(e.row, [...(byRow.get(e.row) ?? []), `${e.column ?? e.field}: ${e.message}`]);
  const table = document.createElement('table');
  table.id = 'import-preview-table';
  const head = table.createTHead().insertRow();
  for (const h of [text.row, ...(rows[0] ?? []), text.problems]) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = h;
    head.append(th);
  }
  const body = table.createTBody();
  rows.slice(1, 501).forEach((cells, i) => {
    const number = i + 2;
    const tr = body.insertRow();
    tr.dataset.row = String(number);
    const problems = byRow.get(number);
    if (problems) tr.className = 'bad';
    for (const value of [String(number), ...cells, (problems ?? []).join('; ')]) tr.insertCell().textContent = value;
  });
  return table;
}

const form = document.getElementById('import-form');
if (form) {
  const result = document.getElementById('import-result');
  const confirm = document.getElementById('import-confirm');
  const send = (dryRun) => {
    const data = new FormData();
    data.append('file', form.elements.file.files[0]);
    return api('POST', `/api/v1/import/${form.elements.kind.value}${dryRun ? '?dry_run=true' : ''}`, data);
  };
  const reset = () => {
    confirm.hidden = true;
  };
  form.elements.file.addEventListener('change', reset);
  form.elements.kind.addEventListener('change', reset);

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    reset();
    const file = form.elements.file.files[0];
    if (!file) {
      showProblem(result, {
        detail: '',
        errors: [{ field: form.elements.file.name, message: lang === 'en' ? 'choose a file' : '请选择文件' }],
      });
      form.elements.file.focus();
      return;
    }
    const answer = await send(true);
    const csv = /\.csv$/i.test(file.name) ? parseCsv(await file.text()) : null;
    if (!answer.ok) {
      showProblem(result, answer.data);
      const lead = document.createElement('p');
      lead.textContent = text.rejected;
      result.prepend(lead);
      if (csv) result.append(previewTable(csv, answer.data?.errors ?? []));
      return;
    }
    showOk(result, fill(text.previewOk, answer.data));
    if (csv) result.append(previewTable(csv, []));
    confirm.hidden = false;
    confirm.focus();
  });

  confirm.addEventListener('click', async () => {
    confirm.hidden = true;
    const answer = await send(false);
    if (!answer.ok) {
      showProblem(result, answer.data);
      return;
    }
    showOk(result, fill(text.imported, answer.data));
    const again = document.createElement('a');
    again.href = window.location.pathname;
    again.textContent = ` ${text.reload}`;
    result.append(again);
  });
}
