// Shared by every console page: the JSON API with the session cookie and its CSRF token,
// problem+json shown as "what to fix", and forms that post to the API.

export const lang = document.body.dataset.lang === 'en' ? 'en' : 'zh';
export const config = JSON.parse(document.body.dataset.config || '{}');

const messages = {
  zh: {
    required: '必填',
    mismatch: '两次输入的新密码不一致',
    failed: '请求失败',
    network: '无法连接服务器，请稍后重试',
    saved: '已保存',
    row: '第 {row} 行',
    uploading: '正在上传文件 {i}/{n}：{name} …',
    refused: '文件“{name}”被拒绝，未提交任何内容：{detail}',
    cutOff: '上传中断（文件可能超过大小上限，或服务器无法连接）',
  },
  en: {
    required: 'is required',
    mismatch: 'the two new passwords differ',
    failed: 'Request failed',
    network: 'The server cannot be reached; try again shortly',
    saved: 'Saved',
    row: 'row {row}',
    uploading: 'Uploading file {i} of {n}: {name} …',
    refused: 'File "{name}" was refused; nothing was submitted: {detail}',
    cutOff: 'the upload was cut off (the file may be over the size limit, or the server unreachable)',
  },
};
export const m = messages[lang];

const csrf = () => document.querySelector('meta[name="csrf-token"]')?.getAttribute('content') ?? '';

/** Calls the API as the signed-in user; `body` is JSON or FormData. */
export async function api(method, url, body) {
  const headers = { Accept: 'application/json' };
  if (method !== 'GET') headers['X-CSRF-Token'] = csrf();
  let payload;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(url, { method, headers, body: payload, credentials: 'same-origin' });
  } catch {
    return { ok: false, status: 0, data: { detail: m.network } };
  }
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = { detail: text };
  }
  return { ok: response.ok, status: response.status, data };
}

/** Fills `element` with a problem+json body: the detail, then each field (and row) to fix. */
export function showProblem(element, problem) {
  element.replaceChildren();
  element.classList.add('problem');
  element.classList.remove('ok');
  const detail = document.createElement('p');
  detail.textContent = problem?.detail || problem?.title || m.failed;
  element.append(detail);
  const errors = problem?.errors ?? [];
  if (errors.length > 0) {
    const list = document.createElement('ul');
    list.className = 'field-errors';
    for (const e of errors) {
      const item = document.createElement('li');
      const where = [e.row !== undefined ? m.row.replace('{row}', e.row) : null, e.column ?? e.field].filter(Boolean).join(' · ');
      const code = document.createElement('code');
      code.textContent = where;
      item.append(code, `: ${e.message}`);
      if (e.row !== undefined) item.dataset.row = String(e.row);
      list.append(item);
    }
    element.append(list);
  }
}

export function showOk(element, text) {
  element.replaceChildren();
  element.classList.remove('problem');
  element.classList.add('ok');
  element.textContent = text;
}

function labelOf(input) {
  const label = input.closest('label');
  return label ? label.childNodes[0]?.textContent?.trim() || input.name : input.name;
}

/** Marks the named fields of a form invalid, from client checks or the API's errors[].field. */
function markFields(form, fields) {
  for (const input of form.querySelectorAll('[name]')) {
    if (fields.includes(input.name)) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
  }
  form.querySelector('[aria-invalid="true"]')?.focus();
}

const fill = (template, values) => template.replace(/\{(\w+)\}/g, (_, k) => String(values[k] ?? ''));

/**
 * Uploads files as evidence documents (POST /api/v1/documents), one after another, saying
 * which in `result`; their ids, or null after the first refusal, shown with the file's name.
 */
export async function uploadDocuments(files, result) {
  const ids = [];
  for (const [index, file] of files.entries()) {
    showOk(result, fill(m.uploading, { i: index + 1, n: files.length, name: file.name }));
    const body = new FormData();
    body.append('file', file, file.name);
    const answer = await api('POST', '/api/v1/documents', body);
    if (!answer.ok) {
      const detail = answer.status === 0 ? m.cutOff : answer.data?.detail || answer.data?.title || m.failed;
      showProblem(result, { ...answer.data, detail: fill(m.refused, { name: file.name, detail }) });
      return null;
    }
    ids.push(answer.data.id);
  }
  return ids;
}

/**
 * A form with data-api-url posts its fields as JSON; empty fields are left out. A file input
 * is uploaded first and sent as the ids of its documents, under its data-field name (its own
 * name starts with `_`, so the script-less fallback, which cannot carry files, leaves it out).
 */
function bindApiForm(form) {
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const result = form.querySelector('.result');
    const missing = [...form.querySelectorAll('[required]')].filter((input) => !input.value.trim());
    if (missing.length > 0) {
      showProblem(result, { detail: '', errors: missing.map((input) => ({ field: labelOf(input), message: m.required })) });
      markFields(
        form,
        missing.map((input) => input.name),
      );
      return;
    }
    const body = {};
    const fields = {};
    // Yes/no selects are named in `_booleans` and sent as JSON booleans, as the fallback does.
    const booleans = (form.elements._booleans?.value ?? '').split(',');
    const uploads = [];
    for (const input of form.querySelectorAll('[name]')) {
      if (input.type === 'file') {
        if (input.files.length > 0 && input.dataset.field) uploads.push(input);
        continue;
      }
      // `_…` fields carry the call for the script-less fallback (/console/submit), not the API.
      if (input.name.startsWith('_') || input.dataset.skip === 'true' || input.value.trim() === '') continue;
      fields[input.name] = input.value.trim();
      const value = booleans.includes(input.name) ? input.value === 'true' : input.value.trim();
      // `group.key` nests one level, as the fallback does (a silence's matchers).
      const [group, key, more] = input.name.split('.');
      if (key === undefined || more !== undefined) body[input.name] = value;
      else body[group] = { ...(body[group] ?? {}), [key]: value };
    }
    const repeat = form.dataset.repeat;
    if (repeat && form.elements.repeat && form.elements.repeat.value !== form.elements[repeat].value) {
      showProblem(result, { detail: m.mismatch });
      markFields(form, ['repeat']);
      return;
    }
    const button = form.querySelector('button[type="submit"]');
    if (button) button.disabled = true;
    for (const input of uploads) {
      const ids = await uploadDocuments([...input.files], result);
      if (ids === null) {
        if (button) button.disabled = false;
        return;
      }
      body[input.dataset.field] = ids;
    }
    const answer = await api(form.dataset.apiMethod || 'POST', form.dataset.apiUrl, body);
    if (button) button.disabled = false;
    if (!answer.ok) {
      showProblem(result, answer.data);
      markFields(
        form,
        (answer.data?.errors ?? []).map((e) => e.field),
      );
      return;
    }
    showOk(result, m.saved);
    const next = form.dataset.next;
    if (next) window.location.assign(next.replace(/\{(\w+)\}/g, (_, key) => encodeURIComponent(fields[key] ?? '')));
    else window.location.reload();
  });
}

for (const form of document.querySelectorAll('form[data-api-url]')) bindApiForm(form);

document.getElementById('sign-out')?.addEventListener('click', async () => {
  await api('POST', '/api/v1/auth/logout');
  window.location.assign('/console/login');
});
