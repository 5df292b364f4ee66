// The one catalogue of Keyward's error codes (STYLE habit 6). The app API renders these as
// RFC 9457 problem+json, the gateway in each exchange's own error format, the CLI as
// `keyward: error:` plus `keyward: hint:`. docs/errors.md must list exactly these codes: a test
// compares them.

interface CatalogueEntry {
  /** HTTP status when this reaches an HTTP client. */
  readonly status: number;
  /** Process exit status when this ends a CLI command (2 = usage, 1 = everything else). */
  readonly exit: 1 | 2;
  readonly title: string;
  /** What the user can do about it; printed as the CLI's hint line. */
  readonly hint?: string;
}

export const ERROR_CATALOGUE = {
  KW_INPUT_INVALID: { status: 400, exit: 2, title: 'The input is not valid.' },
  KW_VAULT_NOT_FOUND: { status: 404, exit: 1, title: 'There is no vault here.', hint: 'run `keyward init` to create one, or pass --home DIR for another vault' },
  KW_VAULT_EXISTS: { status: 409, exit: 1, title: 'A vault already exists here.', hint: 'pass --home DIR to create another vault elsewhere' },
  KW_VAULT_WRONG_PASSWORD: { status: 401, exit: 1, title: 'Wrong password, or the vault key record was altered.' },
  KW_VAULT_DAMAGED: { status: 500, exit: 1, title: 'The vault file is damaged or is not a Keyward vault.', hint: 'restore it from a backup made with `keyward backup export`' },
  KW_VAULT_TOO_NEW: { status: 500, exit: 1, title: 'The vault was written by a newer version of Keyward.', hint: 'upgrade Keyward; this version did not change the vault' },
  KW_VAULT_BUSY: { status: 503, exit: 1, title: 'Another process is writing to the vault.', hint: 'wait for it to finish and try again' },
  KW_VAULT_CONFLICT: { status: 409, exit: 1, title: 'The vault changed while this command ran; nothing was written.', hint: 'run the command again' },
  KW_VAULT_LOCKED: { status: 423, exit: 1, title: 'The vault is locked.' },
  KW_CRYPTO_OPEN_FAILED: { status: 500, exit: 1, title: 'Encrypted data failed to open: it was altered or belongs elsewhere.' },
  KW_KDF_PARAMS_REFUSED: { status: 400, exit: 1, title: 'Key-derivation parameters are outside the allowed range.' },
  KW_PASSWORD_MISMATCH: { status: 400, exit: 1, title: 'The two passwords do not match.' },
  KW_PASSWORD_TOO_SHORT: { status: 400, exit: 1, title: 'The password is too short (at least 8 characters).' },
  KW_PASSWORD_UNAVAILABLE: { status: 400, exit: 1, title: 'No password was given and there is no terminal to ask for one.', hint: 'use --password-file FILE or KEYWARD_PASSWORD_FILE' },
  KW_SECRET_MISSING: { status: 400, exit: 1, title: 'A secret is required and none was given.' },
  KW_CREDENTIAL_NOT_FOUND: { status: 404, exit: 1, title: 'No credential has that name.', hint: 'see `keyward credential list`' },
  KW_CREDENTIAL_EXISTS: { status: 409, exit: 1, title: 'A credential with that name already exists.', hint: 'pick another name, or use `keyward credential rotate`' },
  KW_CREDENTIAL_INVALID: { status: 400, exit: 1, title: 'The credential cannot be used to sign.' },
  KW_EXCHANGE_REFUSED: { status: 502, exit: 1, title: 'The exchange refused the request.' },
  KW_EXCHANGE_UNKNOWN: { status: 400, exit: 2, title: 'Unknown exchange.' },
  KW_BACKUP_INVALID: { status: 400, exit: 1, title: 'The backup file is damaged, altered or not a Keyward backup; nothing was imported.' },
  KW_BACKUP_TOO_NEW: { status: 400, exit: 1, title: 'The backup was written by a newer version of Keyward.', hint: 'upgrade Keyward to import it' },
  KW_CLIPBOARD_UNAVAILABLE: { status: 500, exit: 1, title: 'No clipboard tool was found (xclip, xsel or wl-copy).', hint: 'install one of them, e.g. `apt install xclip`' },
  KW_TOKEN_INVALID: { status: 401, exit: 1, title: 'The token is not valid.' },
  KW_TOKEN_REVOKED: { status: 401, exit: 1, title: 'The token, or a token above it, was revoked.' },
  KW_TOKEN_EXPIRED: { status: 401, exit: 1, title: 'The token, or a token above it, has expired.' },
  KW_TOKEN_EXHAUSTED: { status: 401, exit: 1, title: 'The token has no uses left.' },
  KW_TOKEN_NOT_FOUND: { status: 404, exit: 1, title: 'No token has that accessor.', hint: 'see `keyward token list`' },
  KW_TOKEN_POLICY_NOT_SUBSET: { status: 403, exit: 1, title: 'A token can only narrow its parent\'s policy.' },
  KW_TOKEN_USE_LIMITED: { status: 403, exit: 1, title: 'A use-limited token cannot issue tokens.' },
  KW_STORE_UNAVAILABLE: { status: 503, exit: 1, title: 'The database cannot be reached.' },
  KW_INTERNAL_ERROR: { status: 500, exit: 1, title: 'Internal error.' },
} as const satisfies Record<string, CatalogueEntry>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(ERROR_CATALOGUE, code);
}

/**
 * An error with a stable code. `detail` is shown to the user and must never contain a secret:
 * callers pass names, paths and numbers, never request bodies or key material.
 */
export class KeywardError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly detail: string | undefined;
  readonly hint: string | undefined;

  constructor(code: ErrorCode, detail?: string, options?: { hint?: string; cause?: unknown }) {
    const entry: CatalogueEntry = ERROR_CATALOGUE[code];
    super(detail ?? entry.title, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'KeywardError';
    this.code = code;
    this.status = entry.status;
    this.detail = detail;
    this.hint = options?.hint ?? entry.hint;
  }

  get title(): string {
    return ERROR_CATALOGUE[this.code].title;
  }

  get exitCode(): 1 | 2 {
    return ERROR_CATALOGUE[this.code].exit;
  }
}

export function isKeywardError(e: unknown): e is KeywardError {
  return e instanceof KeywardError;
}
