// The SMTP mailer, over nodemailer. Transport security is a choice with no silent fallback:
// 'tls' (TLS from the first byte, usually port 465), 'starttls' (STARTTLS required: a server, or a
// man in the middle, that does not offer it gets nothing), or 'none', allowed only to a loopback
// relay. Certificates are always checked. The password is asked for per connection (smtp-auth.ts).
import { randomUUID } from 'node:crypto';
import nodemailer from 'nodemailer';
import { KeywardError } from '@keyward/protocol/errors';
import { MailDeliveryError, type Mailer, type OutgoingMail } from './ports.js';
import { customAuthHandlers, type SecretBytes } from './smtp-auth.js';

export type SmtpSecurity = 'tls' | 'starttls' | 'none';

export interface SmtpServer {
  readonly host: string;
  readonly port: number;
  readonly security: SmtpSecurity;
}

export interface SmtpMailerOptions extends SmtpServer {
  /** The From header: "Name <address>" or a bare address. */
  readonly from: string;
  readonly user?: string;
  /** Called for each connection that authenticates; the secret is released after use. */
  readonly password?: () => SecretBytes;
  /** PEM trust anchors for a server with a private CA. They replace the system's, as in node:tls. */
  readonly ca?: string | Buffer;
  /** Connect, greeting and idle-socket timeout. */
  readonly timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 15_000;
const PLAIN_ADDRESS = /^[^\s@,;:<>()[\]\\"]{1,64}@[^\s@,;:<>()[\]\\"]{1,253}$/;

/** One bare address of at most 254 characters (RFC 5321 §4.5.3.1.3), nothing that could make a list. */
export function isPlainAddress(value: string): boolean {
  return value.length <= 254 && PLAIN_ADDRESS.test(value) && !/[\p{Cc}\p{Cf}]/u.test(value);
}

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** smtp://host[:587] → STARTTLS required (plain only to loopback); smtps://host[:465] → TLS. */
export function smtpServerFromUrl(url: string): SmtpServer {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new KeywardError('KW_CONFIG_INVALID', 'smtpUrl is not a URL');
  }
  if (u.username !== '' || u.password !== '') {
    throw new KeywardError('KW_CONFIG_INVALID', 'smtpUrl must not hold credentials: use smtpUser and smtpPasswordFile');
  }
  if ((u.pathname !== '' && u.pathname !== '/') || u.search !== '' || u.hash !== '') throw new KeywardError('KW_CONFIG_INVALID', 'smtpUrl is smtp://host:port or smtps://host:port, nothing more');
  const host = u.hostname.replace(/^\[|\]$/g, '');
  if (u.protocol === 'smtps:') return { host, port: u.port === '' ? 465 : Number(u.port), security: 'tls' };
  if (u.protocol === 'smtp:') return { host, port: u.port === '' ? 587 : Number(u.port), security: isLoopbackHost(host) ? 'none' : 'starttls' };
  throw new KeywardError('KW_CONFIG_INVALID', 'smtpUrl must start with smtp:// or smtps://');
}

export function createSmtpMailer(options: SmtpMailerOptions): Mailer {
  const fromAddress = checkOptions(options);
  const fromDomain = fromAddress.slice(fromAddress.lastIndexOf('@') + 1);
  const timeout = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const transport = nodemailer.createTransport({
    host: options.host, port: options.port,
    secure: options.security === 'tls', requireTLS: options.security === 'starttls', ignoreTLS: options.security === 'none',
    tls: { minVersion: 'TLSv1.2', rejectUnauthorized: true, ...(options.ca === undefined ? {} : { ca: options.ca }) },
    connectionTimeout: timeout, greetingTimeout: timeout, socketTimeout: timeout,
    logger: false, debug: false,
    ...(options.user === undefined || options.password === undefined ? {} : {
      auth: { user: options.user }, forceAuth: true, customAuth: customAuthHandlers(options.user, options.password),
    }),
  });

  return {
    async send(mail: OutgoingMail) {
      if (!isPlainAddress(mail.to)) throw new MailDeliveryError('EADDRESS', { permanent: true });
      try {
        await transport.sendMail({
          from: options.from, to: mail.to, envelope: { from: fromAddress, to: [mail.to] },
          subject: mail.subject, text: mail.text, date: new Date(mail.at),
          messageId: `<${/^[\w.-]{1,128}$/.test(mail.id) ? mail.id : randomUUID()}@${fromDomain}>`,
          // RFC 3834 §5: no auto-replies to us; the kind lets people filter.
          headers: { 'Auto-Submitted': 'auto-generated', 'X-Keyward-Notification': mail.kind },
          disableFileAccess: true, disableUrlAccess: true,
        });
      } catch (e) {
        const err = e as { code?: unknown; responseCode?: unknown };
        const responseCode = typeof err.responseCode === 'number' ? err.responseCode : undefined;
        const code = typeof err.code === 'string' ? err.code : 'EUNKNOWN';
        throw new MailDeliveryError(code, { responseCode, permanent: responseCode !== undefined && responseCode >= 500 && responseCode < 600, cause: e });
      }
    },
    close() {
      transport.close();
    },
  };
}

function checkOptions(o: SmtpMailerOptions): string {
  const problems: string[] = [];
  if (typeof o.host !== 'string' || o.host.length === 0) problems.push('host is empty');
  if (!Number.isSafeInteger(o.port) || o.port < 1 || o.port > 65535) problems.push('port must be 1 to 65535');
  if (o.security !== 'tls' && o.security !== 'starttls' && o.security !== 'none') problems.push('security must be tls, starttls or none');
  // A plain connection beyond this machine would carry the password and the mail in clear.
  if (o.security === 'none' && !isLoopbackHost(o.host)) problems.push('security none is only for a relay on loopback');
  if ((o.user === undefined) !== (o.password === undefined)) problems.push('user and password go together');
  const address = /<([^<>]+)>\s*$/.exec(o.from)?.[1] ?? o.from.trim();
  if (/[\r\n]/.test(o.from) || !isPlainAddress(address)) problems.push('from must be "Name <address>" or an address');
  if (problems.length > 0) throw new KeywardError('KW_CONFIG_INVALID', `SMTP mailer: ${problems.join('; ')}`);
  return address;
}
