import nodemailer from 'nodemailer';
import { slackPayload, type AlertMessage } from '../../domain/alerting';

/** Sends one alert message on one channel; throws when the receiver did not accept it. */
export interface AlertSender {
  send(message: AlertMessage, opts: { deliveryKey: string; to?: string[] }): Promise<void>;
  close?(): void;
}

/** A Slack-compatible incoming webhook: `POST {text, blocks}` as JSON, 2xx means accepted. */
export function slackSender(webhookUrl: string, timeoutMs = 10_000): AlertSender {
  return {
    async send(message) {
      const res = await fetch(webhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(slackPayload(message)),
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (!res.ok) {
        const body = await res.text().catch(() => '');
        throw new Error(`Slack webhook answered ${res.status}${body ? `: ${body.slice(0, 200)}` : ''}`);
      }
    },
  };
}

/**
 * Email over SMTP (nodemailer). The Message-ID is derived from the delivery key, so a message sent
 * twice after a crash is recognisable as the same one by mail clients.
 */
export function emailSender(smtpUrl: string, from: string, timeoutMs = 15_000): AlertSender {
  const url = new URL(smtpUrl);
  const transport = nodemailer.createTransport({
    host: url.hostname,
    port: Number(url.port) || (url.protocol === 'smtps:' ? 465 : 587),
    secure: url.protocol === 'smtps:',
    ...(url.username
      ? { auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } }
      : {}),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
  const domain = from.split('@')[1] ?? 'quayside.local';
  return {
    async send(message, { deliveryKey, to }) {
      if (!to || to.length === 0) throw new Error('no email recipients configured');
      await transport.sendMail({
        from,
        to,
        subject: message.title,
        text: message.text,
        messageId: `<${deliveryKey.replace(/[^A-Za-z0-9.-]/g, '.')}@${domain}>`,
      });
    },
    close() {
      transport.close();
    },
  };
}
