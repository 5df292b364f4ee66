// The exchange side of API keys. Key material is handed to the creator once, in the form each
// exchange issues it; the store keeps only what the exchange needs to verify: HMAC secrets as
// Buffers (wiped by clear()), public keys for the asymmetric schemes (Binance Ed25519, Coinbase
// CDP ES256/EdDSA), a digest of the OKX passphrase, and Kraken's nonce high-water mark.
import {
  createHash, generateKeyPairSync, randomBytes, randomUUID, type KeyObject,
} from 'node:crypto';
import { createIpCheck, type IpCheck } from './ip-allow.js';

export const EXCHANGES = ['binance', 'kraken', 'coinbase', 'okx'] as const;
export type ExchangeName = (typeof EXCHANGES)[number];
export type Permission = 'read' | 'trade' | 'withdraw';
/** hmac: a shared secret; ed25519 / es256: the client holds the private key. */
export type KeyType = 'hmac' | 'ed25519' | 'es256';

export interface CreateKeyOptions {
  readonly exchange: ExchangeName;
  /** Defaults to read + trade: a withdraw-enabled key must be asked for explicitly. */
  readonly permissions?: readonly Permission[] | undefined;
  /** Addresses or CIDR ranges; absent means unrestricted. */
  readonly ipRestrict?: readonly string[] | undefined;
  /** binance: hmac (default) or ed25519; coinbase: es256 (default) or ed25519; others: hmac. */
  readonly keyType?: KeyType | undefined;
  /** Share one paper account between several keys; a fresh account by default. */
  readonly accountId?: string | undefined;
  /** Starting balances for a fresh account, e.g. { USDT: '1000' }; DEFAULT_BALANCES otherwise. */
  readonly balances?: Readonly<Record<string, string>> | undefined;
  /** OKX only: the passphrase chosen at key creation; random when absent. */
  readonly passphrase?: string | undefined;
  readonly label?: string | undefined;
}

/** What the creator receives: the only time the secret leaves the sandbox. */
export interface KeyMaterial {
  readonly exchange: ExchangeName;
  readonly keyType: KeyType;
  /** Binance/Kraken/OKX API key; Coinbase CDP key name (organizations/{org}/apiKeys/{id}). */
  readonly apiKey: string;
  /** HMAC secret (Kraken: base64), or the private key (PEM, or base64 seed‖public for EdDSA CDP keys). */
  readonly secret: string;
  readonly passphrase?: string;
  readonly accountId: string;
  readonly permissions: readonly Permission[];
  readonly ipRestrict: readonly string[];
}

export interface StoredKey {
  readonly exchange: ExchangeName;
  readonly keyType: KeyType;
  readonly apiKey: string;
  readonly accountId: string;
  readonly label: string;
  readonly permissions: ReadonlySet<Permission>;
  readonly ipRestrict: readonly string[];
  readonly createdAt: number;
  readonly hmacKey: Buffer | undefined;
  readonly publicKey: KeyObject | undefined;
  readonly passphraseDigest: Buffer | undefined;
  /** Kraken: the highest nonce accepted so far. */
  nonce: bigint;
  lastUsed: number;
  isIpAllowed(ip: string): boolean;
}

export interface KeyStore {
  create(options: CreateKeyOptions, accountId: string, now: number): { key: StoredKey; material: KeyMaterial };
  find(exchange: ExchangeName, apiKey: string): StoredKey | undefined;
  list(): readonly StoredKey[];
  /** Zeroes every HMAC secret and passphrase digest and forgets all keys. */
  clear(): void;
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Uniform alphanumerics by rejection sampling (256 is not a multiple of 62). */
function alnum(length: number): Buffer {
  const out = Buffer.alloc(length);
  let filled = 0;
  while (filled < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte >= 248 || filled >= length) continue;
      out[filled++] = ALNUM.charCodeAt(byte % 62);
    }
  }
  return out;
}

export function sha256(data: Buffer | string): Buffer {
  return createHash('sha256').update(data).digest();
}

interface Generated {
  readonly keyType: KeyType;
  readonly apiKey: string;
  readonly secret: string;
  readonly hmacKey?: Buffer;
  readonly publicKey?: KeyObject;
  readonly passphrase?: string;
}

function generate(options: CreateKeyOptions): Generated {
  const { exchange } = options;
  const keyType = options.keyType ?? (exchange === 'coinbase' ? 'es256' : 'hmac');
  switch (exchange) {
    case 'binance': {
      const apiKey = alnum(64).toString('latin1');
      if (keyType === 'ed25519') {
        // Binance asks the user to generate the pair and register the public key; here the sandbox
        // plays both roles and forgets the private half.
        const pair = generateKeyPairSync('ed25519');
        return { keyType, apiKey, secret: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), publicKey: pair.publicKey };
      }
      if (keyType !== 'hmac') break;
      const hmacKey = alnum(64);
      return { keyType, apiKey, secret: hmacKey.toString('latin1'), hmacKey };
    }
    case 'kraken': {
      if (keyType !== 'hmac') break;
      // Kraken issues a 56-character key and a base64 "private key" of 64 bytes; the HMAC key is
      // the decoded bytes, not the base64 text.
      const hmacKey = randomBytes(64);
      return { keyType, apiKey: randomBytes(42).toString('base64'), secret: hmacKey.toString('base64'), hmacKey };
    }
    case 'okx': {
      if (keyType !== 'hmac') break;
      const hmacKey = Buffer.from(randomBytes(16).toString('hex').toUpperCase(), 'latin1');
      const passphrase = options.passphrase ?? `Kw-${randomBytes(9).toString('base64url')}`;
      return { keyType, apiKey: randomUUID(), secret: hmacKey.toString('latin1'), hmacKey, passphrase };
    }
    case 'coinbase': {
      if (keyType === 'es256') {
        const pair = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
        return {
          keyType,
          apiKey: `organizations/${randomUUID()}/apiKeys/${randomUUID()}`,
          secret: pair.privateKey.export({ type: 'sec1', format: 'pem' }).toString(),
          publicKey: pair.publicKey,
        };
      }
      if (keyType === 'ed25519') {
        // CDP Ed25519 keys are issued as a key id plus base64(seed ‖ public key), 64 bytes.
        const pair = generateKeyPairSync('ed25519');
        const jwk = pair.privateKey.export({ format: 'jwk' });
        const seed = Buffer.from(jwk.d ?? '', 'base64url');
        const pub = Buffer.from(jwk.x ?? '', 'base64url');
        const secret = Buffer.concat([seed, pub]).toString('base64');
        seed.fill(0);
        return { keyType, apiKey: randomUUID(), secret, publicKey: pair.publicKey };
      }
      break;
    }
  }
  throw new RangeError(`sandbox: ${exchange} does not issue ${keyType} keys here`);
}

export function createKeyStore(): KeyStore {
  const keys = new Map<string, StoredKey>();
  const id = (exchange: ExchangeName, apiKey: string): string => `${exchange}\u0000${apiKey}`;

  return {
    create(options, accountId, now) {
      if (!(EXCHANGES as readonly string[]).includes(options.exchange)) {
        throw new RangeError(`sandbox: unknown exchange ${String(options.exchange)}`);
      }
      const permissions = options.permissions ?? ['read', 'trade'];
      for (const p of permissions) {
        if (p !== 'read' && p !== 'trade' && p !== 'withdraw') throw new RangeError(`sandbox: unknown permission ${String(p)}`);
      }
      const ipRestrict = [...(options.ipRestrict ?? [])];
      const ipCheck: IpCheck | undefined = ipRestrict.length > 0 ? createIpCheck(ipRestrict) : undefined;
      const g = generate(options);
      const key: StoredKey = {
        exchange: options.exchange,
        keyType: g.keyType,
        apiKey: g.apiKey,
        accountId,
        label: options.label ?? `sandbox-${options.exchange}-key`,
        permissions: new Set(permissions),
        ipRestrict,
        createdAt: now,
        hmacKey: g.hmacKey,
        publicKey: g.publicKey,
        passphraseDigest: g.passphrase === undefined ? undefined : sha256(g.passphrase),
        nonce: 0n,
        lastUsed: 0,
        isIpAllowed: (ip) => ipCheck === undefined || ipCheck(ip),
      };
      keys.set(id(key.exchange, key.apiKey), key);
      const material: KeyMaterial = {
        exchange: key.exchange,
        keyType: key.keyType,
        apiKey: key.apiKey,
        secret: g.secret,
        ...(g.passphrase === undefined ? {} : { passphrase: g.passphrase }),
        accountId,
        permissions: [...key.permissions],
        ipRestrict,
      };
      return { key, material };
    },
    find: (exchange, apiKey) => keys.get(id(exchange, apiKey)),
    list: () => [...keys.values()],
    clear() {
      for (const k of keys.values()) {
        k.hmacKey?.fill(0);
        k.passphraseDigest?.fill(0);
      }
      keys.clear();
    },
  };
}
