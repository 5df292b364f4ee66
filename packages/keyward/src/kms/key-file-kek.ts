// The default KEK: 32 random bytes in a file only its owner can read (like an SSH private key),
// held in secure memory once loaded, wrapping DEKs with crypto's wrapKey (XChaCha20-Poly1305, the
// AD binding owner, record and purpose). It protects against a stolen database, not against
// someone who can read this server's disk as the service user: that is what pkcs11-kek.ts is for.
import {
  closeSync, constants, fstatSync, fsyncSync, linkSync, mkdirSync, openSync, readSync, unlinkSync, writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { KeywardError } from '@keyward/protocol/errors';
import { KEY_BYTES } from '@keyward/protocol/key-hierarchy';
import { SecureBuffer, hmac, randomBytes, unwrapKey, wrapKey, type AdFields } from '../crypto/index.js';
import { assertDek, closedError, kekOpenFailed, type KeyEncryptionKey } from './kek.js';

/** HMAC-SHA256 of this label under the key names the key (a key check value), revealing nothing of it. */
const KEK_ID_LABEL = 'keyward/v1/kek-id';

export interface KeyFileKekOptions {
  readonly path: string;
  /** When the file does not exist: create a new key (mode 0600, folder 0700). Default true. */
  readonly create?: boolean;
}

class KeyFileKek implements KeyEncryptionKey {
  readonly id: string;
  #key: SecureBuffer | null;

  constructor(key: SecureBuffer) {
    this.#key = key;
    this.id = `file:${hmac('sha256', key, new TextEncoder().encode(KEK_ID_LABEL)).subarray(0, 8).toString('hex')}`;
  }

  async wrap(dek: SecureBuffer, ad: AdFields): Promise<Uint8Array> {
    const key = this.#live();
    assertDek(dek);
    return wrapKey(key, dek, ad);
  }

  async unwrap(wrapped: Uint8Array, ad: AdFields): Promise<SecureBuffer> {
    const key = this.#live();
    try {
      return unwrapKey(key, wrapped, ad);
    } catch {
      throw kekOpenFailed();
    }
  }

  async close(): Promise<void> {
    this.#key?.release();
    this.#key = null;
  }

  #live(): SecureBuffer {
    if (this.#key === null) throw closedError(this.id);
    return this.#key;
  }
}

/** Loads the key file, first creating it when it is missing and `create` allows. */
export async function openKeyFileKek(options: KeyFileKekOptions): Promise<KeyEncryptionKey> {
  const { path } = options;
  if (typeof path !== 'string' || path.length === 0) throw new TypeError('key file path');
  let key = tryLoad(path);
  if (key === null && options.create !== false) key = tryCreate(path) ?? tryLoad(path);
  if (key === null) throw new KeywardError('KW_KEK_UNAVAILABLE', `no key file at ${path}`);
  return new KeyFileKek(key);
}

/** Null when the file does not exist; every other problem is an error that names it. */
function tryLoad(path: string): SecureBuffer | null {
  let fd: number;
  try {
    // Symbolic links are followed on purpose (secret mounts are links); the checks below are made
    // on the opened descriptor, so the file checked is the file read.
    fd = openSync(path, constants.O_RDONLY | constants.O_NOCTTY);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new KeywardError('KW_KEK_UNAVAILABLE', `cannot open key file ${path}: ${String((e as NodeJS.ErrnoException).code)}`, { cause: e });
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new KeywardError('KW_KEK_FILE_INVALID', `${path} is not a regular file`);
    const mode = (st.mode & 0o777).toString(8).padStart(4, '0');
    if ((st.mode & 0o077) !== 0) {
      throw new KeywardError('KW_KEK_FILE_INSECURE', `${path} has mode ${mode}: group or others may use it; it must be 0600 or 0400`);
    }
    // Like OpenSSH's StrictModes: a file someone else owns could have been put there by them.
    const uid = process.geteuid?.();
    if (uid !== undefined && st.uid !== uid && st.uid !== 0) {
      throw new KeywardError('KW_KEK_FILE_INSECURE', `${path} is owned by uid ${String(st.uid)}, not by this process (uid ${String(uid)}) or root`);
    }
    if (st.size !== KEY_BYTES) {
      throw new KeywardError('KW_KEK_FILE_INVALID', `${path} is ${String(st.size)} bytes; a key file holds exactly ${String(KEY_BYTES)}`);
    }
    const key = SecureBuffer.alloc(KEY_BYTES);
    try {
      const got = key.reveal((b) => readFully(fd, b));
      // A file that changed size after fstat is refused rather than half-read.
      if (got !== KEY_BYTES || readSync(fd, Buffer.alloc(1), 0, 1, null) !== 0) {
        throw new KeywardError('KW_KEK_FILE_INVALID', `${path} changed while it was read`);
      }
      return key;
    } catch (e) {
      key.release();
      throw e;
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes a new key beside the target and links it into place: link(2) never replaces an existing
 * file, and a reader never sees a half-written key. Null when another process created it first.
 */
function tryCreate(path: string): SecureBuffer | null {
  const dir = dirname(path);
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  const key = SecureBuffer.random(KEY_BYTES);
  try {
    // Only folders created here get 0700; an existing folder is the operator's to set.
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    try {
      key.reveal((b) => writeFully(fd, b));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    try {
      linkSync(tmp, path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      key.release();
      return null;
    }
    syncDir(dir);
    return key;
  } catch (e) {
    key.release();
    throw new KeywardError('KW_KEK_UNAVAILABLE', `cannot create key file ${path}: ${String((e as NodeJS.ErrnoException).code)}`, { cause: e });
  } finally {
    try {
      unlinkSync(tmp);
    } catch {
      // Already gone, or never created.
    }
  }
}

function readFully(fd: number, into: Buffer): number {
  let at = 0;
  while (at < into.length) {
    const n = readSync(fd, into, at, into.length - at, null);
    if (n === 0) break;
    at += n;
  }
  return at;
}

function writeFully(fd: number, from: Buffer): void {
  let at = 0;
  while (at < from.length) at += writeSync(fd, from, at, from.length - at);
}

function syncDir(dir: string): void {
  const fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
