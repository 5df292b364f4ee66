// Helpers for reading permission answers: the exchange's JSON, and a clear error when it refused.
import { KeywardError } from '@keyward/protocol/errors';

export function jsonObject(raw: Buffer): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(raw.toString('utf8'));
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export function jsonValue(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    return null;
  }
}

/** The exchange refused the permission check; its own message (never our request) is kept, cut short. */
export function exchangeRefused(exchange: string, status: number, body: Buffer): KeywardError {
  const text = body.toString('utf8').replace(/\s+/g, ' ').slice(0, 300);
  return new KeywardError('KW_EXCHANGE_REFUSED', `${exchange} answered ${String(status)}: ${text}`);
}
