// Encrypted, versioned backups. Layout:
//   "KEYWARD-BACKUP\n" | format (u8) | header length (u32 BE) | header (JSON) | body (envelope)
// The header carries what unlocking needs (KDF parameters, salt, the password-wrapped user key);
// the body (credential rows, each still sealed under its own data key) is sealed under a key
// derived from the user key, with associated data that binds the SHA-256 of everything before it.
// So a changed byte anywhere fails: in the header, the body's AD no longer matches; in the body,
// its tag fails; a cut file fails to parse or to open. Nothing is written until all of it opens.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { KDF_SALT_BYTES, LABELS, PURPOSES, WRAPPED_KEY_BYTES, type AdFields } from '@keyward/protocol/key-hierarchy';
import { KeywardError, isKeywardError } from '@keyward/protocol/errors';
import type { SecureBuffer} from '../crypto/index.js';
import { deriveSubkey, hash, openEnvelope, releaseAll, sealEnvelope } from '../crypto/index.js';
import type { AccountRow, CredentialRow, Store } from '../store/index.js';
import { openCredential, sealCredential, unwrapUserKeyWithPassword, type UnlockedVault } from './local-vault.js';

const MAGIC = Buffer.from('KEYWARD-BACKUP\n', 'ascii');
export const BACKUP_FORMAT = 1;
const MAX_HEADER_BYTES = 64 * 1024;

const b64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/).transform((s) => Buffer.from(s, 'base64'));
const headerSchema = z.strictObject({
  format: z.literal(BACKUP_FORMAT),
  createdAt: z.number().int(),
  account: z.strictObject({
    id: z.string().min(1).max(100),
    kdfMemoryKiB: z.number().int(),
    kdfIterations: z.number().int(),
    salt: b64.refine((b) => b.length === KDF_SALT_BYTES),
    wrappedUserKey: b64.refine((b) => b.length === WRAPPED_KEY_BYTES),
  }),
});
const credentialSchema = z.strictObject({
  id: z.string().min(1).max(100),
  name: z.string().min(1).max(200),
  exchange: z.string().min(1).max(50),
  fingerprint: z.string().max(100),
  custody: z.enum(['sealed', 'token-bound', 'delegated']),
  ciphertext: b64,
  wrappedDek: b64,
  createdAt: z.number().int(),
  rotatedAt: z.number().int().nullable(),
});
const bodySchema = z.strictObject({ credentials: z.array(credentialSchema).max(100_000) });

type BackupCredential = z.infer<typeof credentialSchema>;

export interface ParsedBackup {
  readonly account: Pick<AccountRow, 'id' | 'kdfMemoryKiB' | 'kdfIterations' | 'salt' | 'wrappedUserKey'>;
  readonly createdAt: number;
  readonly headerDigest: string;
  readonly body: Buffer;
}

const backupAd = (accountId: string, headerDigest: string): AdFields => ({ owner: accountId, record: headerDigest, purpose: PURPOSES.backup });
const invalid = (why: string): KeywardError => new KeywardError('KW_BACKUP_INVALID', `The backup file is not valid (${why}); nothing was imported.`);

export async function exportBackup(vault: UnlockedVault, store: Pick<Store, 'credentials'>, now: number): Promise<Buffer> {
  const rows = await store.credentials.list(vault.accountId);
  return vault.withUserKey((userKey, account) => {
    const header = Buffer.from(JSON.stringify({
      format: BACKUP_FORMAT,
      createdAt: now,
      account: {
        id: account.id, kdfMemoryKiB: account.kdfMemoryKiB, kdfIterations: account.kdfIterations,
        salt: Buffer.from(account.salt).toString('base64'), wrappedUserKey: Buffer.from(account.wrappedUserKey).toString('base64'),
      },
    }), 'utf8');
    const prefix = Buffer.alloc(MAGIC.length + 5);
    MAGIC.copy(prefix);
    prefix[MAGIC.length] = BACKUP_FORMAT;
    prefix.writeUInt32BE(header.length, MAGIC.length + 1);
    const headerDigest = hash('sha256', prefix, header).toString('hex');
    const body = Buffer.from(JSON.stringify({
      credentials: rows.map((r) => ({
        id: r.id, name: r.name, exchange: r.exchange, fingerprint: r.fingerprint, custody: r.custody,
        ciphertext: Buffer.from(r.ciphertext).toString('base64'), wrappedDek: Buffer.from(r.wrappedDek).toString('base64'),
        createdAt: r.createdAt, rotatedAt: r.rotatedAt,
      })),
    }), 'utf8');
    const backupKey = deriveSubkey(userKey, LABELS.backupKey);
    try {
      return Buffer.concat([prefix, header, sealEnvelope(backupKey, body, backupAd(account.id, headerDigest))]);
    } finally {
      backupKey.release();
    }
  });
}

export function parseBackup(file: Buffer): ParsedBackup {
  if (file.length < MAGIC.length + 5 || !file.subarray(0, MAGIC.length).equals(MAGIC)) throw invalid('not a Keyward backup');
  const format = file[MAGIC.length] ?? 0;
  if (format > BACKUP_FORMAT) throw new KeywardError('KW_BACKUP_TOO_NEW', `The backup has format ${String(format)}; this Keyward reads format ${String(BACKUP_FORMAT)}.`);
  if (format !== BACKUP_FORMAT) throw invalid('unknown format');
  const headerLength = file.readUInt32BE(MAGIC.length + 1);
  const headerEnd = MAGIC.length + 5 + headerLength;
  if (headerLength > MAX_HEADER_BYTES || headerEnd > file.length) throw invalid('truncated header');
  let header;
  try {
    header = headerSchema.parse(JSON.parse(file.subarray(MAGIC.length + 5, headerEnd).toString('utf8')));
  } catch {
    throw invalid('malformed header');
  }
  return {
    account: { ...header.account },
    createdAt: header.createdAt,
    headerDigest: hash('sha256', file.subarray(0, headerEnd)).toString('hex'),
    body: file.subarray(headerEnd),
  };
}

export interface OpenedBackup {
  readonly userKey: SecureBuffer;
  readonly credentials: readonly BackupCredential[];
}

/** Opens the header with the password, then the body, then proves every credential opens. */
export function openBackup(parsed: ParsedBackup, password: SecureBuffer): OpenedBackup {
  const account = { ...parsed.account, name: '', authKeyHash: null, email: null, userKeyCheck: null, ipAllowlist: null, revision: 0, createdAt: 0, updatedAt: 0 } satisfies AccountRow;
  const userKey = unwrapUserKeyWithPassword(password, account);
  let body: SecureBuffer | null = null;
  const backupKey = deriveSubkey(userKey, LABELS.backupKey);
  try {
    body = openEnvelope(backupKey, parsed.body, backupAd(parsed.account.id, parsed.headerDigest));
    const credentials = bodySchema.parse(JSON.parse(body.reveal((b) => b.toString('utf8')))).credentials;
    for (const c of credentials) openCredential(userKey, { ...c, accountId: parsed.account.id }).release();
    return { userKey, credentials };
  } catch (e) {
    userKey.release();
    if (isKeywardError(e) && e.code !== 'KW_CRYPTO_OPEN_FAILED') throw e;
    throw invalid('it was altered or is incomplete');
  } finally {
    releaseAll(backupKey, body);
  }
}

/** Restores a backup into a store with no vault: the same account, password and rows. */
export async function restoreBackup(store: Store, parsed: ParsedBackup, opened: OpenedBackup, accountName: string, now: number): Promise<number> {
  await store.transaction(async (tx) => {
    await tx.accounts.insert({
      ...parsed.account, name: accountName, authKeyHash: null, email: null, userKeyCheck: null, ipAllowlist: null, revision: 1, createdAt: parsed.createdAt, updatedAt: now,
    });
    for (const c of opened.credentials) {
      await tx.credentials.insert({ ...c, accountId: parsed.account.id, kekWrappedDek: null, kekId: null, revision: 1 });
    }
  });
  return opened.credentials.length;
}

/**
 * Merges a backup into an existing, unlocked vault: each credential is opened with the backup's
 * user key and sealed afresh (new id, new data key) under the vault's. Refuses, writing nothing,
 * when a name already exists.
 */
export async function mergeBackup(store: Store, vault: UnlockedVault, opened: OpenedBackup, backupAccountId: string, now: number): Promise<number> {
  const existing = new Set((await store.credentials.list(vault.accountId)).map((r) => r.name));
  const clashes = opened.credentials.filter((c) => existing.has(c.name)).map((c) => c.name);
  if (clashes.length > 0) {
    throw new KeywardError('KW_CREDENTIAL_EXISTS', `The vault already has credentials named ${clashes.map((n) => `"${n}"`).join(', ')}; nothing was imported.`, {
      hint: 'remove or rotate those credentials first, or import into an empty vault with --home DIR',
    });
  }
  const rows: CredentialRow[] = vault.withUserKey((userKey) => opened.credentials.map((c) => {
    const secrets = openCredential(opened.userKey, { ...c, accountId: backupAccountId });
    try {
      const id = randomUUID();
      return {
        id, accountId: vault.accountId, name: c.name, exchange: c.exchange, custody: 'sealed' as const,
        kekWrappedDek: null, kekId: null, revision: 1, createdAt: now, rotatedAt: null,
        ...sealCredential(userKey, vault.accountId, id, secrets),
      };
    } finally {
      secrets.release();
    }
  }));
  await store.transaction(async (tx) => {
    for (const r of rows) await tx.credentials.insert(r);
  });
  return rows.length;
}
