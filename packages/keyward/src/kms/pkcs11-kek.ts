// The KEK in an HSM, through PKCS#11 (pkcs11js). The AES-256 key is generated on the token with
// CKA_EXTRACTABLE=false and CKA_SENSITIVE=true: its bytes never reach this process, which only asks
// the token to encrypt or decrypt a DEK. A stolen database plus a copy of this server's disk is
// therefore not enough; the attacker also needs the running token and its PIN.
//
// Wire format v1: version (1) || IV (12) || ciphertext (32) || GCM tag (16), exactly 61 bytes.
// AES-GCM rather than CKM_AES_KEY_WRAP(_PAD): RFC 3394/5649 key wrap has no associated data, and
// the AD is what binds a wrapped DEK to its owner, record and purpose. The 96-bit IV is random and
// made here (NIST SP 800-38D §8.2.2): a token cannot be trusted to keep a counter across restores.
import { realpathSync } from 'node:fs';
import { endianness } from 'node:os';
import pkcs11js from 'pkcs11js';
import { KeywardError } from '@keyward/protocol/errors';
import { KEY_BYTES, encodeAssociatedData } from '@keyward/protocol/key-hierarchy';
import { SecureBuffer, randomBytes, type AdFields } from '../crypto/index.js';
import { assertDek, closedError, kekOpenFailed, type KeyEncryptionKey } from './kek.js';

export const PKCS11_WRAP_VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const PKCS11_WRAPPED_BYTES = 1 + IV_BYTES + KEY_BYTES + TAG_BYTES;
/** PKCS#11 pads token labels to 32 bytes (CK_TOKEN_INFO.label). */
const TOKEN_LABEL_BYTES = 32;

type Handle = Buffer;

export interface Pkcs11KekOptions {
  /** Path of the PKCS#11 module, e.g. /usr/lib/softhsm/libsofthsm2.so. */
  readonly module: string;
  /** The token's label (CK_TOKEN_INFO.label, without its padding). */
  readonly tokenLabel: string;
  /** The key's CKA_LABEL; one key version per label (e.g. "keyward-kek-2026-01"). */
  readonly keyLabel: string;
  /** The user PIN. Used once to log in and not kept: the caller releases it. */
  readonly pin: SecureBuffer;
  /** When no key has `keyLabel`: generate one on the token. Default false (provisioning only). */
  readonly create?: boolean;
}

// One loaded and initialised module per file, shared by every KEK in the process: C_Initialize
// and the login state are per application, not per session (PKCS#11 v2.40 §5.4, §6.7), so one
// KEK's C_Finalize must not pull the module from under another.
interface Library {
  readonly p11: pkcs11js.PKCS11;
  readonly owned: boolean;
  users: number;
}
const libraries = new Map<string, Library>();

/** The CKR_… name (or the binding's message): never secret, since the PIN never reaches an error. */
function ckr(e: unknown): string {
  return e instanceof Error ? e.message : 'unknown error';
}

function unavailable(detail: string, cause?: unknown): KeywardError {
  return new KeywardError('KW_KEK_UNAVAILABLE', detail, cause === undefined ? undefined : { cause });
}

function acquire(modulePath: string): { key: string; lib: Library } {
  let key: string;
  try {
    key = realpathSync(modulePath);
  } catch (e) {
    throw unavailable(`no PKCS#11 module at ${modulePath}`, e);
  }
  let lib = libraries.get(key);
  if (lib === undefined) {
    const p11 = new pkcs11js.PKCS11();
    try {
      p11.load(key);
    } catch (e) {
      throw unavailable(`cannot load PKCS#11 module ${modulePath}`, e);
    }
    let owned = true;
    try {
      p11.C_Initialize({ flags: pkcs11js.CKF_OS_LOCKING_OK });
    } catch (e) {
      // Someone else in this process initialised it: use it, and leave finalising to them.
      if (!(e instanceof pkcs11js.Pkcs11Error && e.code === pkcs11js.CKR_CRYPTOKI_ALREADY_INITIALIZED)) {
        p11.close();
        throw unavailable(`PKCS#11 module ${modulePath} failed to initialise (${ckr(e)})`, e);
      }
      owned = false;
    }
    lib = { p11, owned, users: 0 };
    libraries.set(key, lib);
  }
  lib.users += 1;
  return { key, lib };
}

function releaseLibrary(key: string, lib: Library): void {
  lib.users -= 1;
  if (lib.users > 0) return;
  libraries.delete(key);
  try {
    if (lib.owned) lib.p11.C_Finalize();
  } finally {
    lib.p11.close();
  }
}

function findSlot(p11: pkcs11js.PKCS11, tokenLabel: string): Handle {
  const matches = p11.C_GetSlotList(true).filter((slot) => p11.C_GetTokenInfo(slot).label.trimEnd() === tokenLabel);
  if (matches.length === 0) throw unavailable(`no token labelled "${tokenLabel}"`);
  if (matches.length > 1) throw unavailable(`${String(matches.length)} tokens are labelled "${tokenLabel}"`);
  return matches[0] as Handle;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function login(p11: pkcs11js.PKCS11, session: Handle, pin: SecureBuffer, tokenLabel: string): void {
  try {
    // pkcs11js 2.1.7 takes the PIN only as a JS string: its native C_Login rejects a Buffer
    // (napi_string check) and copies the string into a std::vector it does not wipe. So the PIN
    // exists as a string for this one call, is never stored, and cannot be wiped (README "Limits").
    pin.reveal((bytes) => p11.C_Login(session, pkcs11js.CKU_USER, utf8.decode(bytes)));
  } catch (e) {
    // Login state is per application: another KEK on this token already logged this process in.
    if (e instanceof pkcs11js.Pkcs11Error && e.code === pkcs11js.CKR_USER_ALREADY_LOGGED_IN) return;
    if (e instanceof TypeError) throw unavailable('the PKCS#11 PIN is not valid UTF-8');
    throw unavailable(`login to token "${tokenLabel}" failed (${ckr(e)})`, e);
  }
}

function findKey(p11: pkcs11js.PKCS11, session: Handle, keyLabel: string): Handle | null {
  p11.C_FindObjectsInit(session, [
    { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
    { type: pkcs11js.CKA_LABEL, value: keyLabel },
  ]);
  let found: Handle[];
  try {
    found = p11.C_FindObjects(session, 2);
  } finally {
    p11.C_FindObjectsFinal(session);
  }
  if (found.length > 1) throw unavailable(`more than one secret key is labelled "${keyLabel}"`);
  return found[0] ?? null;
}

function generateKey(p11: pkcs11js.PKCS11, session: Handle, keyLabel: string): Handle {
  return p11.C_GenerateKey(session, { mechanism: pkcs11js.CKM_AES_KEY_GEN }, [
    { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
    { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_AES },
    { type: pkcs11js.CKA_VALUE_LEN, value: KEY_BYTES },
    { type: pkcs11js.CKA_LABEL, value: keyLabel },
    // A random CKA_ID travels with the key through token backups and names this key version.
    { type: pkcs11js.CKA_ID, value: randomBytes(16) },
    { type: pkcs11js.CKA_TOKEN, value: true },
    { type: pkcs11js.CKA_PRIVATE, value: true },
    { type: pkcs11js.CKA_SENSITIVE, value: true },
    { type: pkcs11js.CKA_EXTRACTABLE, value: false },
    { type: pkcs11js.CKA_MODIFIABLE, value: false },
    { type: pkcs11js.CKA_COPYABLE, value: false },
    { type: pkcs11js.CKA_ENCRYPT, value: true },
    { type: pkcs11js.CKA_DECRYPT, value: true },
    { type: pkcs11js.CKA_WRAP, value: false },
    { type: pkcs11js.CKA_UNWRAP, value: false },
    { type: pkcs11js.CKA_SIGN, value: false },
    { type: pkcs11js.CKA_VERIFY, value: false },
    { type: pkcs11js.CKA_DERIVE, value: false },
  ]);
}

const littleEndian = endianness() === 'LE';
function ulong(b: Buffer): number {
  if (b.length === 8) return Number(littleEndian ? b.readBigUInt64LE() : b.readBigUInt64BE());
  if (b.length === 4) return littleEndian ? b.readUInt32LE() : b.readUInt32BE();
  throw new RangeError('CK_ULONG attribute of unexpected size');
}

/** Refuses a key that is not a token-resident AES-256 key that can never leave the token. Returns its CKA_ID. */
function checkKey(p11: pkcs11js.PKCS11, session: Handle, key: Handle, keyLabel: string): Buffer {
  const attrs = new Map(p11.C_GetAttributeValue(session, key, [
    { type: pkcs11js.CKA_KEY_TYPE }, { type: pkcs11js.CKA_VALUE_LEN }, { type: pkcs11js.CKA_TOKEN },
    { type: pkcs11js.CKA_EXTRACTABLE }, { type: pkcs11js.CKA_SENSITIVE },
    { type: pkcs11js.CKA_ENCRYPT }, { type: pkcs11js.CKA_DECRYPT }, { type: pkcs11js.CKA_ID },
  ]).map((a) => [a.type, a.value]));
  const flag = (type: number): boolean => attrs.get(type)?.[0] === 1;
  const value = (type: number): Buffer => attrs.get(type) ?? Buffer.alloc(0);
  if (ulong(value(pkcs11js.CKA_KEY_TYPE)) !== pkcs11js.CKK_AES || ulong(value(pkcs11js.CKA_VALUE_LEN)) !== KEY_BYTES) {
    throw unavailable(`key "${keyLabel}" is not an AES-256 key`);
  }
  if (!flag(pkcs11js.CKA_TOKEN)) throw unavailable(`key "${keyLabel}" is a session object, not stored on the token`);
  if (flag(pkcs11js.CKA_EXTRACTABLE) || !flag(pkcs11js.CKA_SENSITIVE)) {
    throw new KeywardError('KW_KEK_KEY_EXPORTABLE', `key "${keyLabel}" has CKA_EXTRACTABLE=${String(flag(pkcs11js.CKA_EXTRACTABLE))}, CKA_SENSITIVE=${String(flag(pkcs11js.CKA_SENSITIVE))}`);
  }
  if (!flag(pkcs11js.CKA_ENCRYPT) || !flag(pkcs11js.CKA_DECRYPT)) throw unavailable(`key "${keyLabel}" may not encrypt and decrypt`);
  return value(pkcs11js.CKA_ID);
}

function gcm(iv: Buffer, aad: Buffer): pkcs11js.Mechanism {
  // The v2.40 parameter layout sets ulIvBits too, so no field is left for the module to guess.
  return {
    mechanism: pkcs11js.CKM_AES_GCM,
    parameter: { type: pkcs11js.CK_PARAMS_AES_GCM_v240, iv, ivBits: IV_BYTES * 8, aad, tagBits: TAG_BYTES * 8 } as pkcs11js.GcmParams,
  };
}

class Pkcs11Kek implements KeyEncryptionKey {
  readonly id: string;
  readonly #libKey: string;
  readonly #lib: Library;
  readonly #key: Handle;
  #session: Handle | null;

  constructor(id: string, libKey: string, lib: Library, session: Handle, key: Handle) {
    this.id = id;
    this.#libKey = libKey;
    this.#lib = lib;
    this.#session = session;
    this.#key = key;
  }

  // pkcs11js's synchronous calls run to completion within one turn of the event loop, so calls on
  // the one session never interleave. The price: each call blocks the loop for one token round trip.
  async wrap(dek: SecureBuffer, ad: AdFields): Promise<Uint8Array> {
    const session = this.#live();
    assertDek(dek);
    const p11 = this.#lib.p11;
    const iv = randomBytes(IV_BYTES);
    const out = Buffer.alloc(PKCS11_WRAPPED_BYTES);
    out[0] = PKCS11_WRAP_VERSION;
    out.set(iv, 1);
    p11.C_EncryptInit(session, gcm(iv, Buffer.from(encodeAssociatedData(ad))), this.#key);
    const body = dek.reveal((d) => p11.C_Encrypt(session, d, out.subarray(1 + IV_BYTES)));
    if (body.length !== KEY_BYTES + TAG_BYTES) throw new Error(`the token returned ${String(body.length)} bytes for AES-GCM`);
    return out;
  }

  async unwrap(wrapped: Uint8Array, ad: AdFields): Promise<SecureBuffer> {
    const session = this.#live();
    // Exact length and version first (age's size check): nothing malformed reaches the token.
    if (!(wrapped instanceof Uint8Array) || wrapped.length !== PKCS11_WRAPPED_BYTES || wrapped[0] !== PKCS11_WRAP_VERSION) {
      throw kekOpenFailed();
    }
    const p11 = this.#lib.p11;
    const iv = Buffer.from(wrapped.subarray(1, 1 + IV_BYTES));
    const body = Buffer.from(wrapped.subarray(1 + IV_BYTES));
    // SoftHSM wants room for the whole input (ciphertext and tag) in the output; the spare bytes
    // and any plaintext written before a failed tag check are wiped with the scratch buffer.
    const scratch = SecureBuffer.alloc(body.length);
    try {
      const aad = Buffer.from(encodeAssociatedData(ad));
      const n = scratch.reveal((out) => {
        p11.C_DecryptInit(session, gcm(iv, aad), this.#key);
        return p11.C_Decrypt(session, body, out).length;
      });
      if (n !== KEY_BYTES) throw kekOpenFailed();
      return scratch.slice(0, KEY_BYTES);
    } catch {
      throw kekOpenFailed();
    } finally {
      scratch.release();
    }
  }

  async close(): Promise<void> {
    const session = this.#session;
    if (session === null) return;
    this.#session = null;
    try {
      // Closing the application's last session on the token also logs it out (PKCS#11 v2.40 §5.6).
      this.#lib.p11.C_CloseSession(session);
    } finally {
      releaseLibrary(this.#libKey, this.#lib);
    }
  }

  #live(): Handle {
    if (this.#session === null) throw closedError(this.id);
    return this.#session;
  }
}

/**
 * Opens the key labelled `keyLabel` on the token labelled `tokenLabel`, first generating it there
 * when it is missing and `create` is set. Refuses a key that could be exported.
 */
export async function openPkcs11Kek(options: Pkcs11KekOptions): Promise<KeyEncryptionKey> {
  const { module: modulePath, tokenLabel, keyLabel, pin } = options;
  if (typeof modulePath !== 'string' || modulePath.length === 0) throw new TypeError('PKCS#11 module path');
  if (typeof tokenLabel !== 'string' || tokenLabel.length === 0 || Buffer.byteLength(tokenLabel) > TOKEN_LABEL_BYTES) {
    throw new RangeError(`a token label is 1 to ${String(TOKEN_LABEL_BYTES)} bytes`);
  }
  if (typeof keyLabel !== 'string' || keyLabel.length === 0) throw new TypeError('key label');
  if (!(pin instanceof SecureBuffer) || pin.isReleased) throw new TypeError('the PIN must be a live SecureBuffer');

  const { key: libKey, lib } = acquire(modulePath);
  const p11 = lib.p11;
  let session: Handle | null = null;
  try {
    const slot = findSlot(p11, tokenLabel);
    const flags = pkcs11js.CKF_SERIAL_SESSION | (options.create === true ? pkcs11js.CKF_RW_SESSION : 0);
    session = p11.C_OpenSession(slot, flags);
    login(p11, session, pin, tokenLabel);
    let key = findKey(p11, session, keyLabel);
    if (key === null) {
      if (options.create !== true) throw unavailable(`no key labelled "${keyLabel}" on token "${tokenLabel}"`);
      key = generateKey(p11, session, keyLabel);
    }
    const ckaId = checkKey(p11, session, key, keyLabel);
    const id = ckaId.length > 0 ? `pkcs11:${keyLabel}:${ckaId.toString('hex')}` : `pkcs11:${keyLabel}`;
    return new Pkcs11Kek(id, libKey, lib, session, key);
  } catch (e) {
    if (session !== null) {
      try {
        p11.C_CloseSession(session);
      } catch {
        // The error that brought us here is the one to report.
      }
    }
    releaseLibrary(libKey, lib);
    if (e instanceof KeywardError) throw e;
    throw unavailable(`PKCS#11 token "${tokenLabel}": ${ckr(e)}`, e);
  }
}
