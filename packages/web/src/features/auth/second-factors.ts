// Which second factor to ask for, at sign-in and at re-authentication alike: the kinds the account
// has, in the order offered (an authenticator app, then a passkey, then a recovery code, which is
// single-use and so the last resort), and the request member each kind's answer goes in.
export type FactorKind = 'totp' | 'passkey' | 'recovery';

const ORDER: readonly FactorKind[] = ['totp', 'passkey', 'recovery'];

/** The sign-in ticket's list (strings from the server), or GET /account/second-factors' counts. */
export function factorKinds(from: readonly string[] | { readonly totp: readonly unknown[]; readonly passkeys: readonly unknown[]; readonly recoveryCodesLeft: number }): FactorKind[] {
  const has = Array.isArray(from)
    ? (k: FactorKind): boolean => (from as readonly string[]).includes(k)
    : (k: FactorKind): boolean => {
      const f = from as { totp: readonly unknown[]; passkeys: readonly unknown[]; recoveryCodesLeft: number };
      return k === 'totp' ? f.totp.length > 0 : k === 'passkey' ? f.passkeys.length > 0 : f.recoveryCodesLeft > 0;
    };
  return ORDER.filter(has);
}

/** The kind asked for first; a passkey only when this browser can use one. null: none is needed. */
export function firstKind(kinds: readonly FactorKind[], canUsePasskey: boolean): FactorKind | null {
  return kinds.find((k) => k !== 'passkey' || canUsePasskey) ?? kinds[0] ?? null;
}

/** A typed code as the body member it is sent in; spaces a copy may add are dropped. */
export function codeFactor(kind: 'totp' | 'recovery', code: string): { totp: string } | { recoveryCode: string } {
  const c = code.trim();
  return kind === 'totp' ? { totp: c.replace(/\s/g, '') } : { recoveryCode: c };
}

export const FACTOR_LINKS: Readonly<Record<FactorKind, string>> = {
  totp: 'Use the authenticator app',
  passkey: 'Use a passkey',
  recovery: 'Use a recovery code',
};
