// The review page's reviewer forms: 批量认定 (the documents uploaded first, then one all-or-nothing
// batch with their ids) and the 回头看 campaign (whose seed is shown, so the draw can be repeated).
import { api, config, lang, m, showOk, showProblem, uploadDocuments } from './common.js';

const text = {
  zh: {
    nothingPicked: '请先在表格中勾选要认定的记录，或选择“本筛选条件下全部”。',
    certifying: '正在认定 …',
    certified: '已认定 {n} 条记录。',
    scheduled: '已安排 {n} 项回头看，随机种子 {seed}（用同一种子可抽出同样的记录）。',
  },
  en: {
    nothingPicked: 'Tick the records to certify in the table first, or choose "all matching this filter".',
    certifying: 'Certifying …',
    certified: '{n} records certified.',
    scheduled: '{n} re-reviews scheduled, seed {seed} (the same seed draws the same records).',
  },
}[lang];

const fill = (template, values) => template.replace(/\{(\w+)\}/g, (_, k) => String(values[k] ?? ''));

const picks = () => [...document.querySelectorAll('input[name="pick"]')];

/** Says how many rows are ticked, beside the "selected rows" choice. */
function countPicked() {
  const label = document.getElementById('picked-label');
  if (label) label.textContent = fill(label.dataset.template ?? '{n}', { n: picks().filter((p) => p.checked).length });
}

function markInvalid(form, names) {
  for (const input of form.querySelectorAll('[name]')) {
    if (names.includes(input.name)) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
  }
  form.querySelector('[aria-invalid="true"]')?.focus();
}

const labelOf = (input) => input.closest('label')?.childNodes[0]?.textContent?.trim() || input.name;

/** `systems/S-001` → `{kind, code}`. */
function itemOf(key) {
  const slash = key.indexOf('/');
  return { kind: key.slice(0, slash), code: key.slice(slash + 1) };
}

function bindBatch(form) {
  for (const pick of picks()) pick.addEventListener('change', countPicked);
  document.getElementById('pick-all')?.addEventListener('change', (event) => {
    for (const pick of picks()) pick.checked = event.target.checked;
    countPicked();
  });
  countPicked();
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const result = form.querySelector('.result');
    const fields = form.elements;
    const evidence = fields.evidence.value.trim();
    if (!evidence) {
      showProblem(result, { detail: '', errors: [{ field: labelOf(fields.evidence), message: m.required }] });
      markInvalid(form, ['evidence']);
      return;
    }
    markInvalid(form, []);
    const everything = fields.target.value === 'filter';
    const picked = picks()
      .filter((p) => p.checked)
      .map((p) => itemOf(p.value));
    if (!everything && picked.length === 0) {
      showProblem(result, { detail: text.nothingPicked });
      return;
    }
    const button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    try {
      const ids = await uploadDocuments([...fields.documents.files], result);
      if (ids === null) return;
      showOk(result, text.certifying);
      const body = { classification: fields.classification.value, evidence };
      if (fields.certified_at.value) body.certified_at = fields.certified_at.value;
      if (ids.length > 0) body.documents = ids;
      if (everything) body.filter = config.filter ?? {};
      else body.items = picked;
      const answer = await api('POST', '/api/v1/certifications/batch', body);
      if (!answer.ok) {
        showProblem(result, answer.data);
        return;
      }
      showOk(result, fill(text.certified, { n: answer.data.certified }));
      // Back to the queue, as filtered, its first page, saying how many were certified.
      const url = new URL(window.location.href);
      for (const key of ['selected', 'page', 'lang']) url.searchParams.delete(key);
      url.searchParams.set('certified', String(answer.data.certified));
      window.location.assign(`${url.pathname}${url.search}`);
    } finally {
      button.disabled = false;
    }
  });
}

function bindCampaign(form) {
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const result = form.querySelector('.result');
    const fields = form.elements;
    if (!fields.due_at.value) {
      showProblem(result, { detail: '', errors: [{ field: labelOf(fields.due_at), message: m.required }] });
      markInvalid(form, ['due_at']);
      return;
    }
    markInvalid(form, []);
    const filter = {};
    for (const name of ['kind', 'department', 'region']) {
      const value = fields[name].value.trim();
      if (value) filter[name] = value;
    }
    const body = { filter, due_at: fields.due_at.value };
    if (fields.sample_percent.value.trim()) body.sample_percent = Number(fields.sample_percent.value);
    if (fields.seed.value.trim()) body.seed = Number(fields.seed.value);
    const button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    const answer = await api('POST', '/api/v1/re-reviews/batch', body);
    button.disabled = false;
    if (!answer.ok) {
      showProblem(result, answer.data);
      markInvalid(
        form,
        (answer.data?.errors ?? []).map((e) => String(e.field).replace(/^filter\./, '')),
      );
      return;
    }
    showOk(result, fill(text.scheduled, { n: answer.data.scheduled, seed: answer.data.seed }));
    result.dataset.seed = String(answer.data.seed);
    result.dataset.scheduled = String(answer.data.scheduled);
  });
}

const batch = document.getElementById('batch-form');
if (batch) bindBatch(batch);
const campaign = document.getElementById('campaign-form');
if (campaign) bindCampaign(campaign);
