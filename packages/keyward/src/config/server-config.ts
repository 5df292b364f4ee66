// `keyward serve`'s configuration: one zod schema, three sources (a JSON file, KEYWARD_* variables,
// command-line flags; later wins), validated once at start with every problem reported together.
// No value here is a secret: the SMTP password and the PKCS#11 PIN are named by file.
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { KeywardError } from '@keyward/protocol/errors';
import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65535);
const bool = z.union([z.boolean(), z.enum(['1', '0', 'true', 'false', 'yes', 'no']).transform((v) => ['1', 'true', 'yes'].includes(v))]);
const minutes = z.coerce.number().positive().max(60 * 24 * 30);

export const serverConfigSchema = z.object({
  host: z.string().min(1).default('127.0.0.1').describe('Address the app API and the gateway listen on.'),
  port: port.default(8080).describe('Port of the app API and web app.'),
  gatewayPort: port.default(8787).describe('Port of the signing gateway.'),
  db: z.string().regex(/^(sqlite:.+|postgres(ql)?:\/\/.+)$/, 'sqlite:PATH or postgres://...').optional()
    .describe('Database: sqlite:PATH or postgres://... (default: sqlite in the data directory).'),
  dataDir: z.string().min(1).optional().describe('Directory for the SQLite file, key file and audit checkpoints (default: $XDG_DATA_HOME/keyward-server).'),
  kek: z.string().regex(/^(file:.+|pkcs11:.+)$/, 'file:PATH or pkcs11:module=...;token=...;key=...;pin-file=...').optional()
    .describe('Key-encryption key: file:PATH (default: file:<dataDir>/kek.key) or pkcs11:module=PATH;token=LABEL;key=LABEL;pin-file=PATH.'),
  sandbox: bool.default(false).describe('Run the sandbox exchange in this process and send every exchange request there.'),
  tlsCert: z.string().min(1).optional().describe('PEM certificate file; with tlsKey, the API and gateway speak HTTPS.'),
  tlsKey: z.string().min(1).optional().describe('PEM private-key file.'),
  insecureListen: bool.default(false).describe('Allow a non-loopback address without TLS (only behind a TLS-terminating proxy).'),
  publicUrl: z.url().optional().describe('The URL people open (origin for passkeys and links in e-mails); default http://HOST:PORT.'),
  sessionIdleMinutes: minutes.default(30).describe('A session ends after this long without requests.'),
  sessionAbsoluteMinutes: minutes.default(12 * 60).describe('A session ends this long after sign-in, whatever happens.'),
  smtpUrl: z.string().regex(/^smtps?:\/\/[^\s]+$/, 'smtp://host:port or smtps://host:port').optional()
    .describe('SMTP server for notification e-mails (smtp://host:port needs STARTTLS unless the host is loopback; smtps:// for TLS from the start).'),
  smtpUser: z.string().min(1).optional().describe('SMTP user name.'),
  smtpPasswordFile: z.string().min(1).optional().describe('File holding the SMTP password.'),
  mailFrom: z.string().min(3).default('Keyward <keyward@localhost>').describe('From address of notification e-mails.'),
  upstreams: z.record(z.string(), z.url()).default({}).describe('Exchange base URLs by id, overriding the real exchanges.'),
  webRoot: z.string().min(1).optional().describe('Folder of the built web app (default: the packages/web/dist next to this Keyward).'),
  trustProxy: bool.default(false).describe('Take the client address from X-Forwarded-For (only behind your own proxy).'),
  log: z.enum(['silent', 'error', 'warn', 'info', 'debug']).default('info').describe('Log level (logs never hold secrets).'),
}).strict();

export type ServerConfig = Readonly<z.infer<typeof serverConfigSchema>>;

/** KEYWARD_<SNAKE_CASE> for each key, e.g. KEYWARD_GATEWAY_PORT, KEYWARD_SMTP_URL. */
export function envName(key: string): string {
  return `KEYWARD_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host) || (isIP(host) === 4 && host.startsWith('127.'));
}

export interface ServerConfigSources {
  readonly file?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Already-parsed flags; undefined values are ignored. */
  readonly flags?: Readonly<Record<string, unknown>>;
}

function readFileSource(path: string, problems: string[]): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    problems.push(`config file ${path}: cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    return {};
  }
  try {
    const v: unknown = JSON.parse(text);
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
    return v as Record<string, unknown>;
  } catch {
    problems.push(`config file ${path}: not a JSON object`);
    return {};
  }
}

function envSource(env: Readonly<Record<string, string | undefined>>, problems: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const known = new Map(Object.keys(serverConfigSchema.shape).map((k) => [envName(k), k]));
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('KEYWARD_') || value === undefined || value === '') continue;
    const key = known.get(name);
    if (key === undefined) continue; // KEYWARD_HOME and friends belong to the CLI
    if (key === 'upstreams') {
      try {
        out[key] = JSON.parse(value);
      } catch {
        problems.push(`${name}: not JSON (expected {"binance": "https://..."})`);
      }
    } else {
      out[key] = value;
    }
  }
  return out;
}

const given = (v: unknown): boolean => v !== undefined && v !== null && v !== '';
const truthy = (v: unknown): boolean => v === true || (typeof v === 'string' && ['1', 'true', 'yes'].includes(v));

function crossProblems(c: Readonly<Record<string, unknown>>): string[] {
  const out: string[] = [];
  const host = typeof c.host === 'string' && c.host !== '' ? c.host : '127.0.0.1';
  if (given(c.tlsCert) !== given(c.tlsKey)) out.push('tlsCert and tlsKey: give both or neither');
  if (!isLoopback(host) && !given(c.tlsCert) && !truthy(c.insecureListen)) {
    out.push(`host ${host} is not loopback: pass --tls-cert and --tls-key (TLS), or --insecure-listen behind a TLS proxy`);
  }
  if (given(c.smtpUser) !== given(c.smtpPasswordFile)) out.push('smtpUser and smtpPasswordFile: give both or neither');
  const port = Number(c.port ?? 8080);
  if (port !== 0 && port === Number(c.gatewayPort ?? 8787)) out.push('port and gatewayPort must differ');
  return out;
}

/** Every problem at once, one per line, in a KW_CONFIG_INVALID error; else a frozen config. */
export function loadServerConfig(sources: ServerConfigSources): ServerConfig {
  const problems: string[] = [];
  const merged: Record<string, unknown> = {
    ...(sources.file === undefined ? {} : readFileSource(sources.file, problems)),
    ...envSource(sources.env ?? {}, problems),
  };
  for (const [k, v] of Object.entries(sources.flags ?? {})) if (v !== undefined) merged[k] = v;
  const parsed = serverConfigSchema.safeParse(merged);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = issue.path.join('.');
      problems.push(key === '' ? issue.message : `${key} (${envName(String(issue.path[0]))}): ${issue.message}`);
    }
  }
  // The rules between keys run on what was given even when a value failed its own check, so one
  // start reports every problem.
  problems.push(...crossProblems(parsed.success ? parsed.data : merged));
  if (problems.length > 0 || !parsed.success) {
    throw new KeywardError('KW_CONFIG_INVALID', `The configuration has ${String(problems.length)} problem(s):\n  - ${problems.join('\n  - ')}`);
  }
  return Object.freeze(parsed.data);
}
