// libsodium (WebAssembly, the sumo build: the standard build has no Argon2id), loaded on first use
// so the first screen paints before the large chunk arrives.
//
// Keyward calls libsodium's C functions directly, on buffers it allocates in the WebAssembly heap
// (heap.ts), instead of through the JavaScript wrappers: the wrappers copy every key and password
// into that heap and free the copies without zeroing them, where they stay readable for as long as
// the page lives. The raw exports are not a documented API, so their arities are checked at load
// (a build that passed 64-bit lengths differently would fail here, not derive wrong keys), and the
// shared vectors pin the results (vectors.test.ts).

/** The C functions Keyward uses. 64-bit lengths arrive as (low, high) 32-bit halves. */
export interface RawSodium {
  readonly HEAPU8: Uint8Array;
  _malloc(size: number): number;
  _free(ptr: number): void;
  _crypto_pwhash(out: number, outLen: number, outLenHi: 0, pw: number, pwLen: number, pwLenHi: 0, salt: number,
    opsLimit: number, opsLimitHi: 0, memLimit: number, alg: number): number;
  _crypto_pwhash_alg_argon2id13(): number;
  _crypto_aead_xchacha20poly1305_ietf_encrypt(c: number, cLenP: 0, m: number, mLen: number, mLenHi: 0, ad: number,
    adLen: number, adLenHi: 0, nsec: 0, npub: number, k: number): number;
  _crypto_aead_xchacha20poly1305_ietf_decrypt(m: number, mLenP: 0, nsec: 0, c: number, cLen: number, cLenHi: 0,
    ad: number, adLen: number, adLenHi: 0, npub: number, k: number): number;
  _crypto_kdf_hkdf_sha256_extract(prk: number, salt: number, saltLen: number, ikm: number, ikmLen: number): number;
  _crypto_kdf_hkdf_sha256_expand(out: number, outLen: number, ctx: number, ctxLen: number, prk: number): number;
  _crypto_auth_hmacsha256(out: number, msg: number, msgLen: number, msgLenHi: 0, key: number): number;
}

const ARITIES: Readonly<Record<Exclude<keyof RawSodium, 'HEAPU8'>, number>> = {
  _malloc: 1,
  _free: 1,
  _crypto_pwhash: 11,
  _crypto_pwhash_alg_argon2id13: 0,
  _crypto_aead_xchacha20poly1305_ietf_encrypt: 11,
  _crypto_aead_xchacha20poly1305_ietf_decrypt: 11,
  _crypto_kdf_hkdf_sha256_extract: 5,
  _crypto_kdf_hkdf_sha256_expand: 5,
  _crypto_auth_hmacsha256: 5,
};

function asRawSodium(candidate: unknown): RawSodium {
  const c = candidate as Record<string, unknown> | null | undefined;
  if (c === null || c === undefined || !(c.HEAPU8 instanceof Uint8Array)) throw new Error('libsodium: no WebAssembly heap');
  for (const [name, arity] of Object.entries(ARITIES)) {
    const f = c[name];
    if (typeof f !== 'function' || f.length !== arity) throw new Error(`libsodium: ${name} missing or of an unexpected shape`);
  }
  return c as unknown as RawSodium;
}

let loading: Promise<RawSodium> | null = null;
let loaded: RawSodium | null = null;

/** Loads libsodium once; later calls share the same promise. */
export function loadSodium(): Promise<RawSodium> {
  if (loading === null) {
    loading = import('libsodium-wrappers-sumo').then(async (mod) => {
      await mod.default.ready;
      loaded = asRawSodium((mod.default as unknown as { libsodium?: unknown }).libsodium);
      return loaded;
    });
    loading.catch(() => {
      loading = null; // a failed chunk download may succeed on the next attempt
    });
  }
  return loading;
}

/** The loaded library, for the synchronous primitives; the public functions await loadSodium() first. */
export function sodiumNow(): RawSodium {
  if (loaded === null) throw new Error('libsodium is not loaded: await loadSodium() first');
  return loaded;
}
