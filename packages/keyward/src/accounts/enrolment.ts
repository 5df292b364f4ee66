// What the enrolment screen shows: the otpauth:// URI and its QR code. Both carry the TOTP seed in
// the clear, by nature: this is the one place the seed is ever shown, once, to the signed-in owner
// who is enrolling. The URI and the SVG are JavaScript strings, which V8 cannot wipe, so callers
// send them in that one response and never log, store or cache them (the response should carry
// `Cache-Control: no-store`). After enrolment the seed is only ever read to verify a code.
import QRCode from 'qrcode';
import { KeywardError } from '@keyward/protocol/errors';
import type { SecureBuffer } from '../crypto/index.js';
import { base32Encode } from './base32.js';
import { TOTP_DEFAULTS } from './totp.js';

const MAX_LABEL_CHARS = 100;

/**
 * The Key Uri Format of Google Authenticator, understood by every authenticator app:
 * otpauth://totp/ISSUER:ACCOUNT?secret=BASE32&issuer=ISSUER&algorithm=SHA1&digits=6&period=30
 */
export function otpauthUri(seed: SecureBuffer, account: string, issuer = 'Keyward'): string {
  checkLabel(account, 'account name');
  checkLabel(issuer, 'issuer');
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(account)}`;
  const secret = seed.reveal((bytes) => base32Encode(bytes));
  const { algorithm, digits, periodSeconds } = TOTP_DEFAULTS;
  return `otpauth://totp/${label}?secret=${secret}&issuer=${encodeURIComponent(issuer)}`
    + `&algorithm=${algorithm.toUpperCase()}&digits=${String(digits)}&period=${String(periodSeconds)}`;
}

/** The URI as an SVG QR code (error correction M, a 4-module quiet zone as ISO 18004 asks). */
export async function enrolmentQr(uri: string): Promise<string> {
  if (!uri.startsWith('otpauth://totp/')) throw new KeywardError('KW_INPUT_INVALID', 'only an otpauth://totp/ URI is drawn as an enrolment QR code');
  return QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 4 });
}

function checkLabel(value: string, what: string): void {
  // The Key Uri Format forbids a colon in either part of the label: it separates them.
  // eslint-disable-next-line no-control-regex
  if (value.length === 0 || value.length > MAX_LABEL_CHARS || value.includes(':') || /[\u0000-\u001f\u007f]/.test(value)) {
    throw new KeywardError('KW_INPUT_INVALID', `the ${what} for the authenticator app must be 1 to ${String(MAX_LABEL_CHARS)} characters, without ':' or control characters`);
  }
}
