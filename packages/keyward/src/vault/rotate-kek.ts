// Rotating the server's key-encryption key (docs/server.md "Server keys"): everything the KEK wraps
// is wrapped again under the new one, in one transaction, and nothing else changes: the credential
// ciphertexts, the data keys' user-key wrappings and the token hashes stay as they are. What the
// KEK wraps: delegated credentials' data keys, token-bound credentials' server shares, and the
// server secret. Run it with the server stopped, then start the server with the new KEK.
import { PURPOSES } from '@keyward/protocol/key-hierarchy';
import { rewrapAll, type KekWrappedDek, type KeyEncryptionKey } from '../kms/index.js';
import type { Store, TokenKeyRow } from '../store/index.js';
import { bindingAd } from './custody.js';
import { dataKeyAd } from './local-vault.js';
import { SERVER_SECRET_AD, SERVER_SECRET_META_KEY, decodeServerSecret, encodeServerSecret } from './server-secrets.js';

export interface KekRotationReport {
  readonly credentials: number;
  readonly tokenBindings: number;
  readonly serverSecret: boolean;
}

export async function rotateServerKek(store: Store, from: KeyEncryptionKey, to: KeyEncryptionKey): Promise<KekRotationReport> {
  // Read and rewrap first (rewrapAll opens every new wrapping again before accepting it), then write
  // everything in one transaction: a failure anywhere leaves every row under the old KEK.
  const delegated = (await store.credentials.listByCustody('delegated')).filter((r) => r.kekWrappedDek !== null);
  const credentialRows: KekWrappedDek[] = delegated.map((r) => ({
    id: r.id, kekId: r.kekId ?? '', kekWrappedDek: r.kekWrappedDek as Uint8Array, ad: dataKeyAd(r.accountId, r.id),
  }));
  const rewrappedCredentials = await rewrapAll(credentialRows, from, to);

  const bindings: { row: TokenKeyRow; accountId: string }[] = [];
  for (const c of await store.credentials.listByCustody('token-bound')) {
    for (const b of await store.tokenKeys.listForCredential(c.id)) bindings.push({ row: b, accountId: c.accountId });
  }
  const bindingKey = (b: TokenKeyRow): string => `${b.tokenAccessor}/${b.credentialId}`;
  const rewrappedShares = await rewrapAll(bindings.map(({ row, accountId }) => ({
    id: bindingKey(row), kekId: row.kekId, kekWrappedDek: row.serverShare,
    ad: bindingAd(accountId, row.credentialId, row.tokenAccessor, PURPOSES.tokenShare),
  })), from, to);

  const stored = await store.meta.get(SERVER_SECRET_META_KEY);
  const secret = stored === undefined ? undefined : decodeServerSecret(stored);
  const rewrappedSecret = secret === undefined ? [] : await rewrapAll([{ id: SERVER_SECRET_META_KEY, kekId: secret.kekId, kekWrappedDek: secret.wrapped, ad: SERVER_SECRET_AD }], from, to);

  await store.transaction(async (tx) => {
    const byId = new Map(delegated.map((r) => [r.id, r]));
    for (const r of rewrappedCredentials) {
      const row = byId.get(r.id);
      if (row === undefined || !await tx.credentials.setCustody(row.id, row.revision, 'delegated', r.kekWrappedDek, r.kekId)) {
        throw new Error(`credential ${r.id} changed during the rotation; nothing was written`);
      }
    }
    // A binding's key is its token and credential: rows are replaced, not updated in place.
    const shares = new Map(rewrappedShares.map((r) => [r.id, r]));
    await tx.tokenKeys.removeForTokens([...new Set(bindings.map(({ row }) => row.tokenAccessor))]);
    for (const { row } of bindings) {
      const r = shares.get(bindingKey(row));
      await tx.tokenKeys.insert(r === undefined ? row : { ...row, serverShare: r.kekWrappedDek, kekId: r.kekId });
    }
    const s = rewrappedSecret[0];
    if (s !== undefined) await tx.meta.put(SERVER_SECRET_META_KEY, encodeServerSecret(s.kekId, s.kekWrappedDek));
  });
  return { credentials: rewrappedCredentials.length, tokenBindings: rewrappedShares.length, serverSecret: rewrappedSecret.length > 0 };
}
