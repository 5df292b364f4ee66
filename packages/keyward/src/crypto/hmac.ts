// HMAC (RFC 2104) over keys in secure memory. sodium-native has SHA-2 but no HMAC export, so the
// construction is here, and every intermediate that depends on the key (the padded key, the
// inner and outer hash states, the inner digest) stays in libsodium secure memory.
// An HmacKey precomputes the states after absorbing K^ipad and K^opad once (RFC 2104 §4 notes
// this), so each signature costs two short hash finalisations and no key handling.
import { SecureBuffer, releaseAll } from './secure-buffer.js';
import { HASHES, type HashName } from './sha2.js';

export type { HashName } from './sha2.js';

export type Message = Uint8Array | readonly Uint8Array[];

export interface HmacKey {
  readonly hash: HashName;
  readonly outputBytes: number;
  /** Writes the MAC into `out`, which must be exactly outputBytes long. */
  digestInto(message: Message, out: Uint8Array): void;
  digest(message: Message): Buffer;
  /** Wipes the precomputed states; later use throws. */
  release(): void;
}

const IPAD = 0x36;
const OPAD = 0x5c;

export function createHmacKey(hashName: HashName, key: SecureBuffer): HmacKey {
  const h = HASHES[hashName];
  const inner = SecureBuffer.alloc(h.stateBytes);
  const outer = SecureBuffer.alloc(h.stateBytes);
  const work = SecureBuffer.alloc(h.stateBytes);
  const innerDigest = SecureBuffer.alloc(64);
  const scratch = SecureBuffer.alloc(64);
  const pad = SecureBuffer.alloc(h.blockBytes);
  try {
    pad.reveal((p) => work.reveal((w) => scratch.reveal((sc) => key.reveal((k) => {
      // RFC 2104 §2: keys longer than the block are hashed first; shorter ones are zero-padded.
      if (k.length > h.blockBytes) {
        h.init(w);
        h.update(w, k);
        h.final(w, p.subarray(0, h.outputBytes), sc);
      } else {
        p.set(k);
      }
      for (let i = 0; i < p.length; i++) p[i] = (p[i] ?? 0) ^ IPAD;
      inner.reveal((s) => { h.init(s); h.update(s, p); });
      for (let i = 0; i < p.length; i++) p[i] = (p[i] ?? 0) ^ IPAD ^ OPAD;
      outer.reveal((s) => { h.init(s); h.update(s, p); });
    }))));
  } catch (e) {
    releaseAll(inner, outer, work, innerDigest, scratch);
    throw e;
  } finally {
    pad.release();
  }

  function digestInto(message: Message, out: Uint8Array): void {
    if (out.length !== h.outputBytes) throw new RangeError(`HMAC output must be ${String(h.outputBytes)} bytes`);
    work.reveal((w) => innerDigest.reveal((d) => scratch.reveal((sc) => {
      inner.reveal((s) => w.set(s));
      if (message instanceof Uint8Array) h.update(w, message);
      else for (const part of message) h.update(w, part);
      h.final(w, d.subarray(0, h.outputBytes), sc);
      outer.reveal((s) => w.set(s));
      h.update(w, d.subarray(0, h.outputBytes));
      h.final(w, out, sc);
    })));
  }

  return {
    hash: hashName,
    outputBytes: h.outputBytes,
    digestInto,
    digest(message) {
      // Off V8's heap (a slice of Buffer's pool): a small on-heap array would be copied into a
      // backing store of its own when sodium reads it. Every byte is written before it is read.
      const out = Buffer.allocUnsafe(h.outputBytes);
      digestInto(message, out);
      return out;
    },
    release() {
      releaseAll(inner, outer, work, innerDigest, scratch);
    },
  };
}

/** One-shot HMAC for keys used once (e.g. a KDF step). */
export function hmac(hashName: HashName, key: SecureBuffer, message: Message): Buffer {
  const k = createHmacKey(hashName, key);
  try {
    return k.digest(message);
  } finally {
    k.release();
  }
}

/** One-shot HMAC whose output is itself secret (HKDF's PRK and T(i)): the result stays in secure memory. */
export function hmacSecure(hashName: HashName, key: SecureBuffer, message: Message): SecureBuffer {
  const k = createHmacKey(hashName, key);
  const out = SecureBuffer.alloc(k.outputBytes);
  try {
    out.reveal((o) => k.digestInto(message, o));
    return out;
  } catch (e) {
    out.release();
    throw e;
  } finally {
    k.release();
  }
}
