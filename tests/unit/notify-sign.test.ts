import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dingtalkSign, dingtalkSignedUrl, sendNotification, webhookBody, webhookSignature } from '../../src/notify/senders.ts';

describe('DingTalk robot signature', () => {
  // Computed once in the shell from DingTalk's documented algorithm, not by this code:
  //   printf '%s\n%s' 1577836800000 SECa1b2c3d4e5f6 | openssl dgst -sha256 -hmac SECa1b2c3d4e5f6 -binary | base64
  //   → UbTzPKVmNw/jiMk7NHt7y7Qh1wGardi8X1rx1uPSb8g=   then URL-encoded by hand ("/" → %2F, "=" → %3D).
  const secret = 'SECa1b2c3d4e5f6';
  const timestamp = 1577836800000;
  const expected = 'UbTzPKVmNw%2FjiMk7NHt7y7Qh1wGardi8X1rx1uPSb8g%3D';

  it('matches the vector computed with openssl', () => {
    expect(dingtalkSign(secret, timestamp)).toBe(expected);
  });

  it('appends timestamp and sign to the robot URL', () => {
    expect(dingtalkSignedUrl('https://oapi.dingtalk.com/robot/send?access_token=abc', secret, timestamp)).toBe(
      `https://oapi.dingtalk.com/robot/send?access_token=abc&timestamp=${timestamp}&sign=${expected}`,
    );
    expect(dingtalkSignedUrl('http://127.0.0.1:1/robot', secret, timestamp)).toBe(
      `http://127.0.0.1:1/robot?timestamp=${timestamp}&sign=${expected}`,
    );
  });
});

describe('webhook signature', () => {
  // printf '%s' '{"version":1,"reason":"test","channel":"hook","alerts":[]}' | openssl dgst -sha256 -hmac webhook-key -r
  const body = '{"version":1,"reason":"test","channel":"hook","alerts":[]}';
  const expected = 'sha256=66374f467ed1cec143d0a5b2979f6c7842b92ef493d07e91348fbe267a3cd60f';

  it('is the HMAC-SHA256 of the raw body, hex, computed with openssl', () => {
    expect(webhookBody({ reason: 'test', channel: 'hook', alerts: [] })).toBe(body);
    expect(webhookSignature(body, 'webhook-key')).toBe(expected);
  });

  describe('on the wire', () => {
    const received: { headers: IncomingHttpHeaders; body: string }[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(204).end();
      });
    });
    let url = '';
    beforeAll(async () => {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    const options = { fetch, timeoutMs: 5000, now: () => new Date() };

    it('sends X-Yunwang-Signature over the exact bytes it posts', async () => {
      await sendNotification(
        { name: 'hook', kind: 'webhook', url, to: [], secret: 'webhook-key' },
        { reason: 'test', channel: 'hook', alerts: [] },
        options,
      );
      const last = received.at(-1);
      expect(last?.body).toBe(body);
      expect(last?.headers['x-yunwang-signature']).toBe(expected);
      expect(last?.headers['content-type']).toContain('application/json');
    });

    it('sends no signature without a secret', async () => {
      await sendNotification(
        { name: 'hook', kind: 'webhook', url, to: [], secret: null },
        { reason: 'test', channel: 'hook', alerts: [] },
        options,
      );
      expect(received.at(-1)?.headers['x-yunwang-signature']).toBeUndefined();
    });
  });
});
