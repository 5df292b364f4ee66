// SMTP AUTH PLAIN (RFC 4616) and LOGIN as nodemailer custom handlers, so the password stays bytes
// until a connection authenticates, is read fresh for each connection, and is released after.
//
// The limit, honestly: nodemailer writes every SMTP command as a JavaScript string, so for the few
// microseconds of AUTH the password exists as a base64 string on the V8 heap, which we cannot wipe
// and the garbage collector frees when it likes. That is still better than nodemailer's own `pass`
// option, which keeps the password as a string for the transport's whole life. The scratch buffer
// we build the command in is zeroed.
import type { SMTPConnectionCustomAuthContext, SMTPConnectionCustomAuthHandlers } from 'nodemailer/lib/smtp-connection';

/** What crypto/'s SecureBuffer is, structurally: notify/ imports nothing from src but protocol. */
export interface SecretBytes {
  reveal<T>(use: (bytes: Buffer) => T): T;
  release(): void;
}

/** RFC 4954 §4: 235 is "authentication succeeded", 334 a server challenge (the next prompt). */
const AUTH_OK = 235;
const AUTH_CONTINUE = 334;

export function customAuthHandlers(user: string, password: () => SecretBytes): SMTPConnectionCustomAuthHandlers {
  return {
    PLAIN: async (ctx: SMTPConnectionCustomAuthContext) => {
      // RFC 4616 §2: [authzid] NUL authcid NUL passwd; no authzid, as nodemailer does.
      await expect(ctx, withSecret(password, (pass) => `AUTH PLAIN ${base64Of(Buffer.from([0]), Buffer.from(user, 'utf8'), Buffer.from([0]), pass)}`), AUTH_OK);
    },
    LOGIN: async (ctx: SMTPConnectionCustomAuthContext) => {
      await expect(ctx, 'AUTH LOGIN', AUTH_CONTINUE);
      await expect(ctx, Buffer.from(user, 'utf8').toString('base64'), AUTH_CONTINUE);
      await expect(ctx, withSecret(password, (pass) => base64Of(pass)), AUTH_OK);
    },
  };
}

async function expect(ctx: SMTPConnectionCustomAuthContext, command: string, status: number): Promise<void> {
  const reply = await ctx.sendCommand(command);
  if (reply.status !== status) throw new Error(`SMTP server answered ${String(reply.status)} during authentication`);
}

function withSecret(password: () => SecretBytes, use: (pass: Buffer) => string): string {
  const secret = password();
  try {
    return secret.reveal((pass) => {
      if (pass.includes(0)) throw new Error('the SMTP password contains a NUL byte, which SMTP AUTH cannot carry');
      return use(pass);
    });
  } finally {
    secret.release();
  }
}

function base64Of(...parts: Buffer[]): string {
  const scratch = Buffer.concat(parts);
  try {
    return scratch.toString('base64');
  } finally {
    scratch.fill(0);
  }
}
