/**
 * Ticket and notice emails through SendGrid's own client (@sendgrid/mail). SENDGRID_API_HOST points
 * it at the providers app locally; with the default host and a real key it reaches SendGrid. Errors
 * become a SendOutcome here, never rethrown as they are: axios errors carry the request config,
 * Authorization header included, and must not reach a log.
 */
import http from 'node:http';
import https from 'node:https';
import { Client } from '@sendgrid/client';
import { MailService } from '@sendgrid/mail';
import { outcomeOfStatus, type SendOutcome } from '../domain/outcome';

export interface EmailAttachment {
  filename: string;
  type: string;
  /** Bytes; base64-encoded on the way out. */
  content: Buffer;
  /** Set for inline images referenced from the HTML as cid:<contentId>. */
  contentId?: string;
}

export interface OutgoingEmail {
  to: string;
  subject: string;
  text: string;
  html: string;
  attachments?: EmailAttachment[];
  /** The message's idempotency key: in custom_args (SendGrid has no idempotency header; our providers app honours it). */
  key: string;
  correlationId?: string;
}

export interface EmailSender {
  send(email: OutgoingEmail): Promise<SendOutcome>;
}

export function createEmailSender(settings: { apiKey: string; apiHost: string; from: string; fromName: string; timeoutMs: number }): EmailSender {
  const client = new Client();
  client.setApiKey(settings.apiKey);
  client.setDefaultRequest('baseUrl', settings.apiHost.replace(/\/$/, ''));
  // Keep-alive sockets: a burst of tickets must not open a connection per email.
  const agentOptions = { keepAlive: true, maxSockets: 128, timeout: 4_000 };
  client.setDefaultRequest('httpAgent' as never, new http.Agent(agentOptions) as never);
  client.setDefaultRequest('httpsAgent' as never, new https.Agent(agentOptions) as never);
  const mail = new MailService();
  mail.setClient(client);
  mail.setTimeout(settings.timeoutMs);

  return {
    async send(email) {
      try {
        const [response] = await mail.send({
          to: email.to,
          from: { email: settings.from, name: settings.fromName },
          subject: email.subject,
          text: email.text,
          html: email.html,
          customArgs: { idempotency_key: email.key, ...(email.correlationId ? { correlation_id: email.correlationId } : {}) },
          attachments: email.attachments?.map((a) => ({
            filename: a.filename, type: a.type, content: a.content.toString('base64'),
            ...(a.contentId ? { disposition: 'inline', content_id: a.contentId } : { disposition: 'attachment' }),
          })),
        });
        const messageId = response.headers['x-message-id'];
        return { kind: 'sent', providerId: typeof messageId === 'string' ? messageId : null };
      } catch (error) {
        const status = typeof (error as { code?: unknown }).code === 'number' ? (error as { code: number }).code : undefined;
        const body = (error as { response?: { body?: unknown } }).response?.body;
        const detail = status !== undefined ? `SendGrid answered ${status}${body ? `: ${JSON.stringify(body).slice(0, 300)}` : ''}` : `no answer from SendGrid: ${(error as Error).message ?? String(error)}`;
        return outcomeOfStatus(status, detail);
      }
    },
  };
}
