import type { Context } from 'hono';
import type { AppEnv } from '../../http/router.ts';
import { ApiForm, consolePath, issueLoginToken, submitPath } from '../forms.tsx';
import { catalogue, langOf } from '../i18n.ts';
import type { Viewer } from '../layout.tsx';
import { type ConsoleSettings, renderWith } from '../page.tsx';

const t = catalogue(
  {
    login: '登录',
    name: '用户名',
    password: '密码',
    totp: '动态口令（管理员）',
    signIn: '登录',
    changeTitle: '修改初始密码',
    changeHint: '首次登录或密码被重置后，须先设置新密码：至少 8 位，含大写、小写、数字、符号中的三类。',
    current: '当前密码',
    next: '新密码',
    repeat: '再次输入新密码',
    change: '修改密码',
    totpTitle: '绑定动态口令',
    totpHint: '管理员须绑定身份验证器应用（TOTP）后才能继续。',
    totpStart: '生成密钥',
    totpCode: '应用显示的 6 位数字',
    totpConfirm: '确认绑定',
  },
  {
    login: 'Sign in',
    name: 'User name',
    password: 'Password',
    totp: 'One-time code (administrators)',
    signIn: 'Sign in',
    changeTitle: 'Change your initial password',
    changeHint:
      'After a first sign-in or a reset, set a new password: at least 8 characters from 3 of upper case, lower case, digits and symbols.',
    current: 'Current password',
    next: 'New password',
    repeat: 'New password again',
    change: 'Change the password',
    totpTitle: 'Enrol a second factor',
    totpHint: 'Administrators enrol an authenticator app (TOTP) before going on.',
    totpStart: 'Make a secret',
    totpCode: 'The 6-digit code the app shows',
    totpConfirm: 'Confirm',
  },
);

/** Only a path inside the console may be the place to come back to after signing in. */
export const safeNext = (next: string | undefined) => consolePath(next, '/console');

export function loginPage(settings: ConsoleSettings) {
  return (c: Context<AppEnv>) => {
    const lang = langOf(c);
    const m = t(lang);
    return renderWith(
      c,
      lang,
      settings,
      undefined,
    )({
      title: m.login,
      scripts: ['login.js'],
      config: { next: safeNext(c.req.query('next')) },
      children: (
        <section class="login">
          <h1>{m.login}</h1>
          <form id="login-form" class="stack" method="post" action={submitPath} novalidate>
            <input type="hidden" name="_api" value="/api/v1/auth/login" />
            <input type="hidden" name="_csrf" value={issueLoginToken(c)} />
            <input type="hidden" name="_next" value={safeNext(c.req.query('next'))} />
            <label>
              {m.name}
              <input name="name" autocomplete="username" required autofocus />
            </label>
            <label>
              {m.password}
              <input name="password" type="password" autocomplete="current-password" required />
            </label>
            <label>
              {m.totp}
              <input name="totp" inputmode="numeric" autocomplete="one-time-code" pattern="\d{6}" />
            </label>
            <button type="submit">{m.signIn}</button>
            <div class="result" role="alert" aria-live="assertive" />
          </form>
        </section>
      ),
    });
  };
}

/** The pages a restricted session may open: the password change and TOTP enrolment. */
export function restrictedPage(settings: ConsoleSettings, which: 'password' | 'totp') {
  return (c: Context<AppEnv>) => {
    const lang = langOf(c);
    const m = t(lang);
    const principal = c.get('principal');
    if (!principal) return c.redirect('/console/login', 302);
    const viewer: Viewer = { name: principal.user.name, access: principal.access, csrfToken: principal.csrfToken };
    const render = renderWith(c, lang, settings, viewer);
    if (which === 'password') {
      return render({
        title: m.changeTitle,
        children: (
          <section class="login">
            <h1>{m.changeTitle}</h1>
            <p class="hint">{m.changeHint}</p>
            <ApiForm class="stack" api="/api/v1/auth/password" next="/console" repeat="new_password" csrf={viewer.csrfToken}>
              <label>
                {m.current}
                <input name="current_password" type="password" autocomplete="current-password" required />
              </label>
              <label>
                {m.next}
                <input name="new_password" type="password" autocomplete="new-password" required minlength={8} />
              </label>
              <label>
                {m.repeat}
                <input name="repeat" type="password" autocomplete="new-password" required data-skip="true" />
              </label>
              <button type="submit">{m.change}</button>
              <div class="result" role="alert" />
            </ApiForm>
          </section>
        ),
      });
    }
    return render({
      title: m.totpTitle,
      scripts: ['totp.js'],
      children: (
        <section class="login">
          <h1>{m.totpTitle}</h1>
          <p class="hint">{m.totpHint}</p>
          <button type="button" id="totp-start">
            {m.totpStart}
          </button>
          <pre id="totp-secret" hidden />
          <ApiForm class="stack" api="/api/v1/auth/totp/confirm" next="/console" csrf={viewer.csrfToken}>
            <label>
              {m.totpCode}
              <input name="code" inputmode="numeric" pattern="\d{6}" required autocomplete="one-time-code" />
            </label>
            <button type="submit">{m.totpConfirm}</button>
            <div class="result" role="alert" />
          </ApiForm>
        </section>
      ),
    });
  };
}
