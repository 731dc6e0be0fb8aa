// Signs in through the API (rate-limited there); the session cookie is HttpOnly.
import { api, config, showProblem } from './common.js';

const form = document.getElementById('login-form');
form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const result = form.querySelector('.result');
  const body = { name: form.elements.name.value.trim(), password: form.elements.password.value };
  if (form.elements.totp.value.trim()) body.totp = form.elements.totp.value.trim();
  const answer = await api('POST', '/api/v1/auth/login', body);
  if (!answer.ok) {
    showProblem(result, answer.data);
    form.elements.password.focus();
    return;
  }
  const restriction = answer.data?.restriction;
  window.location.assign(
    restriction === 'password_change' ? '/console/password' : restriction === 'totp_enrollment' ? '/console/totp' : config.next,
  );
});
