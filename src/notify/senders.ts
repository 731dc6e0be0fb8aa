import { createHmac } from 'node:crypto';
import type { ChannelKind } from '../db/schema/enums.ts';
import { loadNodemailer } from '../kernel/lazy-modules.ts';
import { emailMessage, markdownMessage, type NotificationContent } from './message.ts';

/** What a sender needs of a channel (a row of notification_channels). */
export interface SendChannel {
  name: string;
  kind: ChannelKind;
  url: string;
  to: string[];
  secret: string | null;
}

export interface SendOptions {
  fetch: typeof fetch;
  /** A slow receiver must not hold the deliverer: each send is abandoned after this. */
  timeoutMs: number;
  now: () => Date;
}

/** A failed send. Its message goes to `last_error` and logs, so it never carries the URL or the secret. */
export class SendError extends Error {
  override name = 'SendError';
}

// DingTalk takes 20,000 bytes of markdown; WeCom 4,096.
const markdownLimits = { dingtalk: 18_000, wecom: 4_000 } as const;

/** `X-Yunwang-Signature: sha256=<hex>`: HMAC-SHA256 of the raw body, keyed with the channel's secret. */
export function webhookSignature(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

/**
 * DingTalk's robot signature: base64(HMAC-SHA256(key = secret, message = `${timestamp}\n${secret}`)),
 * URL-encoded, sent as `&timestamp=…&sign=…` (timestamp in milliseconds since the epoch).
 */
export function dingtalkSign(secret: string, timestamp: number): string {
  const digest = createHmac('sha256', secret).update(`${timestamp}\n${secret}`, 'utf8').digest('base64');
  return encodeURIComponent(digest);
}

export function dingtalkSignedUrl(url: string, secret: string, timestamp: number): string {
  return `${url}${url.includes('?') ? '&' : '?'}timestamp=${timestamp}&sign=${dingtalkSign(secret, timestamp)}`;
}

/** The webhook body: the alerts exactly as `GET /api/v1/alerts` shows them. */
export function webhookBody(content: NotificationContent): string {
  return JSON.stringify({ version: 1, reason: content.reason, channel: content.channel, alerts: content.alerts.map((a) => a.alert) });
}

/** Why a fetch failed, in words safe to store: never the URL (robot URLs carry their token). */
function describeFetchError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError' || error.name === 'AbortError') return `no answer within ${timeoutMs / 1000} s`;
    const cause = (error as Error & { cause?: { code?: unknown } }).cause;
    if (cause && typeof cause.code === 'string') return `connection failed: ${cause.code}`;
    return `request failed: ${error.name}`;
  }
  return 'request failed';
}

async function post(url: string, body: string, headers: Record<string, string>, options: SendOptions): Promise<Response> {
  try {
    return await options.fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json; charset=utf-8', 'User-Agent': 'yunwang-notify/1', ...headers },
      body,
      signal: AbortSignal.timeout(options.timeoutMs),
      redirect: 'manual',
    });
  } catch (error) {
    throw new SendError(describeFetchError(error, options.timeoutMs));
  }
}

async function readText(response: Response, timeoutMs: number): Promise<string> {
  try {
    return (await response.text()).slice(0, 2000);
  } catch (error) {
    throw new SendError(describeFetchError(error, timeoutMs));
  }
}

/** DingTalk and WeCom answer HTTP 200 with `errcode` ≠ 0 when they refuse (130101: sending too fast). */
async function expectRobotOk(response: Response, options: SendOptions): Promise<void> {
  const text = await readText(response, options.timeoutMs);
  if (!response.ok) throw new SendError(`HTTP ${response.status}`);
  let answer: { errcode?: unknown; errmsg?: unknown };
  try {
    answer = JSON.parse(text) as { errcode?: unknown; errmsg?: unknown };
  } catch {
    throw new SendError('the robot answered something that is not JSON');
  }
  if (answer.errcode !== 0) {
    const message = typeof answer.errmsg === 'string' ? answer.errmsg.slice(0, 120) : '';
    throw new SendError(`errcode ${String(answer.errcode)}${message ? `: ${message}` : ''}`);
  }
}

async function sendWebhook(channel: SendChannel, content: NotificationContent, options: SendOptions): Promise<void> {
  const body = webhookBody(content);
  const headers: Record<string, string> = channel.secret ? { 'X-Yunwang-Signature': webhookSignature(body, channel.secret) } : {};
  const response = await post(channel.url, body, headers, options);
  await readText(response, options.timeoutMs);
  if (!response.ok) throw new SendError(`HTTP ${response.status}`);
}

async function sendDingtalk(channel: SendChannel, content: NotificationContent, options: SendOptions): Promise<void> {
  const { title, text } = markdownMessage(content, markdownLimits.dingtalk);
  const url = channel.secret ? dingtalkSignedUrl(channel.url, channel.secret, options.now().getTime()) : channel.url;
  const response = await post(url, JSON.stringify({ msgtype: 'markdown', markdown: { title, text } }), {}, options);
  await expectRobotOk(response, options);
}

async function sendWecom(channel: SendChannel, content: NotificationContent, options: SendOptions): Promise<void> {
  const { text } = markdownMessage(content, markdownLimits.wecom);
  const response = await post(channel.url, JSON.stringify({ msgtype: 'markdown', markdown: { content: text } }), {}, options);
  await expectRobotOk(response, options);
}

/**
 * SMTP from the channel's URL: `smtp://[user@]host[:port][?from=addr]` (smtps:// for TLS from
 * the start); the password is the channel's secret. STARTTLS is used when the server offers it.
 */
async function sendEmail(channel: SendChannel, content: NotificationContent, options: SendOptions): Promise<void> {
  const url = new URL(channel.url);
  const secure = url.protocol === 'smtps:';
  const user = decodeURIComponent(url.username);
  const from = url.searchParams.get('from') ?? (user.includes('@') ? user : `yunwang@${url.hostname}`);
  const { createTransport } = await loadNodemailer();
  const transport = createTransport({
    host: url.hostname,
    port: url.port ? Number(url.port) : secure ? 465 : 25,
    secure,
    ...(user ? { auth: { user, pass: channel.secret ?? '' } } : {}),
    connectionTimeout: options.timeoutMs,
    greetingTimeout: options.timeoutMs,
    socketTimeout: options.timeoutMs,
  });
  const { subject, text, html } = emailMessage(content);
  try {
    await transport.sendMail({ from, to: channel.to, subject, text, html });
  } catch (error) {
    const e = error as Error & { code?: unknown; responseCode?: unknown };
    const code = typeof e.code === 'string' ? e.code : 'ESEND';
    throw new SendError(`smtp ${code}${typeof e.responseCode === 'number' ? ` ${e.responseCode}` : ''}`);
  } finally {
    transport.close();
  }
}

const senders: Record<ChannelKind, (channel: SendChannel, content: NotificationContent, options: SendOptions) => Promise<void>> = {
  webhook: sendWebhook,
  dingtalk: sendDingtalk,
  wecom: sendWecom,
  email: sendEmail,
};

/** Sends one message to one channel; resolves when the receiver accepted it, throws SendError otherwise. */
export function sendNotification(channel: SendChannel, content: NotificationContent, options: SendOptions): Promise<void> {
  return senders[channel.kind](channel, content, options);
}
