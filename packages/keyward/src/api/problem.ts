// RFC 9457 problem+json for every app-API error, with the stable KW_* code of protocol/errors.ts.
// Details are written by our own code (names, numbers), never copied from request bodies.
import { ERROR_CATALOGUE, KeywardError, isKeywardError, type ErrorCode } from '@keyward/protocol/errors';

export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly code: ErrorCode;
  readonly detail?: string;
  readonly hint?: string;
  /** Field-level problems of a rejected body. */
  readonly errors?: readonly { path: string; message: string }[];
}

export const PROBLEM_TYPE_BASE = 'https://keyward.dev/errors/';

export function problemOf(code: ErrorCode, detail?: string, extra: Partial<Pick<Problem, 'errors' | 'hint'>> = {}): Problem {
  const entry = ERROR_CATALOGUE[code] as { status: number; title: string; hint?: string };
  return {
    type: PROBLEM_TYPE_BASE + code, title: entry.title, status: entry.status, code,
    ...(detail === undefined ? {} : { detail }),
    ...(extra.hint ?? entry.hint ? { hint: extra.hint ?? entry.hint } : {}),
    ...(extra.errors === undefined ? {} : { errors: extra.errors }),
  };
}

/** Any thrown value as a problem; unknown errors become KW_INTERNAL_ERROR without their message. */
export function problemFromError(e: unknown): Problem {
  if (isKeywardError(e)) return problemOf(e.code, e.detail, e.hint === undefined ? {} : { hint: e.hint });
  const fastifyCode = (e as { code?: unknown; statusCode?: unknown }).code;
  if (fastifyCode === 'FST_ERR_CTP_BODY_TOO_LARGE') return problemOf('KW_BODY_TOO_LARGE');
  if (fastifyCode === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return problemOf('KW_INPUT_INVALID', 'Send application/json.');
  if (fastifyCode === 'FST_ERR_CTP_EMPTY_JSON_BODY' || fastifyCode === 'FST_ERR_CTP_INVALID_JSON_BODY' || (e instanceof SyntaxError)) {
    return problemOf('KW_INPUT_INVALID', 'The body is not valid JSON.');
  }
  const status = (e as { statusCode?: unknown }).statusCode;
  if (status === 429) return problemOf('KW_RATE_LIMITED');
  if (status === 413) return problemOf('KW_BODY_TOO_LARGE');
  // Any other refusal fastify makes before our code runs is the client's request, not our fault.
  if (typeof status === 'number' && status >= 400 && status < 500) return problemOf('KW_INPUT_INVALID', 'The request could not be read.');
  return problemOf('KW_INTERNAL_ERROR');
}

export function fail(code: ErrorCode, detail?: string): never {
  throw new KeywardError(code, detail);
}
