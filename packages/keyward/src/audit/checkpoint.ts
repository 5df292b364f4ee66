// Signed checkpoints of the chain's head, written to a file outside the database: they let
// `keyward audit verify` notice a cut-off tail (records removed from the end leave a valid but
// shorter chain) and a chain rebuilt from scratch. Each line is JSON signed with Ed25519 by a key
// derived from the audit key, so a checkpoint can be checked with the public key alone.
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { verifyEd25519, type Ed25519Key } from '../crypto/index.js';

export interface Checkpoint {
  readonly accountId: string;
  readonly seq: number;
  readonly link: string;
  readonly at: number;
}

const LABEL = 'keyward/v1/audit-checkpoint';

function message(c: Checkpoint): Buffer {
  return Buffer.from(`${LABEL}\n${c.accountId}\n${String(c.seq)}\n${c.link}\n${String(c.at)}`, 'utf8');
}

export function appendCheckpoint(file: string, c: Checkpoint, signer: Ed25519Key): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const line = JSON.stringify({ ...c, sig: signer.sign(message(c)).toString('base64') });
  appendFileSync(file, `${line}\n`, { mode: 0o600 });
}

export type CheckpointLine = { line: number; checkpoint: Checkpoint } | { line: number; invalid: string };

/** Every line of the file: checkpoints whose signature verifies, and the lines that do not. */
export function readCheckpoints(file: string, publicKey: Uint8Array, accountId: string): CheckpointLine[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').flatMap((text, i): CheckpointLine[] => {
    if (text.trim() === '') return [];
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return [{ line: i + 1, invalid: 'not JSON' }];
    }
    const { accountId: acct, seq, link, at, sig } = o;
    if (typeof acct !== 'string' || typeof seq !== 'number' || typeof link !== 'string' || typeof at !== 'number' || typeof sig !== 'string') {
      return [{ line: i + 1, invalid: 'missing fields' }];
    }
    if (acct !== accountId) return [];
    const c: Checkpoint = { accountId: acct, seq, link, at };
    return verifyEd25519(Buffer.from(sig, 'base64'), message(c), publicKey) ? [{ line: i + 1, checkpoint: c }] : [{ line: i + 1, invalid: 'signature does not verify' }];
  });
}
