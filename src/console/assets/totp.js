// Second-factor enrolment: the secret is shown once, then confirmed with the app's code.
import { api, showProblem } from './common.js';

document.getElementById('totp-start').addEventListener('click', async () => {
  const out = document.getElementById('totp-secret');
  const answer = await api('POST', '/api/v1/auth/totp');
  out.hidden = false;
  if (!answer.ok) {
    showProblem(out, answer.data);
    return;
  }
  out.textContent = `${answer.data.secret}\n${answer.data.uri}`;
});
