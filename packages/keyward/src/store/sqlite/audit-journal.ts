// The audit journal: an append-only file beside the SQLite database where audit rows land first.
// One write(2) of a few hundred bytes costs about a microsecond; a SQLite commit of the same row
// costs 15-20 µs plus its share of the WAL checkpoints (bench: `node --import tsx
// bench/audit-journal.bench.ts`). A row in the journal survives a crash of the process at once
// (the page cache) and a power failure once the kernel writes it back: the same promise as a
// SQLite commit under synchronous=NORMAL, which it replaces. audit-writer.ts writes one journal
// while a worker moves the rows of the other into the database, then empties that one and swaps.
//
// Each journal is named after its process (pid and start time, so a reused pid is not mistaken for
// the writer) and a random part: a process that opens the store recovers the journals whose
// writers are gone, and never touches a live one.
// Records carry no secrets.
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, ftruncateSync, openSync, readdirSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { AuditRow } from '../store.js';

/** This process's start time in clock ticks since boot (/proc), or '0' where there is no /proc. */
function startTimeOf(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    if (!existsSync('/proc/self/stat')) {
      // No /proc: is the pid alive at all?
      try {
        process.kill(pid, 0);
        return '0';
      } catch {
        return null;
      }
    }
    return null;
  }
}

const SELF = { pid: process.pid, start: startTimeOf(process.pid) ?? '0' };
/** Journals this process has open now: the only ones with its pid that are not left over. */
const openHere = new Set<string>();

const prefixOf = (dbPath: string): string => `${basename(dbPath)}-audit-`;
const NAME = /-audit-(\d+)-(\d+)-[0-9a-f]+\.journal$/;

// One line a row: link (64 hex digits), seq, at, account (a JSON string) and the body, separated by
// tabs. The body is canonical JSON (audit/record.ts), which holds no raw tab or newline, so it is
// written as it is: no second round of escaping on the gateway's path.
export function encodeRows(rows: readonly AuditRow[]): Buffer {
  let text = '';
  for (const r of rows) {
    if (r.body.includes('\n')) throw new RangeError('an audit body is one line of JSON');
    text += `${Buffer.from(r.link.buffer, r.link.byteOffset, r.link.byteLength).toString('hex')}\t${String(r.seq)}\t${String(r.at)}\t${JSON.stringify(r.accountId)}\t${r.body}\n`;
  }
  return Buffer.from(text, 'utf8');
}

const LINE = /^([0-9a-f]{64})\t(\d{1,16})\t(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)\t("(?:[^"\\]|\\.)*")\t(.*)$/s;

/** The rows of a journal's text; a last line cut short (no newline) is dropped, any other bad line throws. */
export function decodeRows(text: string): AuditRow[] {
  const lines = text.split('\n');
  lines.pop(); // after the last newline: empty, or a write the process did not finish
  return lines.map((line, i) => {
    const m = LINE.exec(line);
    const seq = Number(m?.[2]);
    const account: unknown = m === null ? null : JSON.parse(m[4] ?? '');
    if (m === null || !Number.isSafeInteger(seq) || typeof account !== 'string') throw new SyntaxError(`audit journal line ${String(i + 1)} is not a record`);
    return { accountId: account, seq, at: Number(m[3]), body: m[5] ?? '', link: Buffer.from(m[1] ?? '', 'hex') };
  });
}

/** This database's journals, each with whether its writer is alive. */
function journalsOf(dbPath: string): { path: string; pid: number; live: boolean }[] {
  const dir = dirname(dbPath);
  const prefix = prefixOf(dbPath);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const out: { path: string; pid: number; live: boolean }[] = [];
  for (const n of names) {
    const m = n.startsWith(prefix) ? NAME.exec(n) : null;
    if (m === null) continue;
    const path = join(dir, n);
    const [pid, start] = [Number(m[1]), m[2]];
    // One of this process's is live while a store here has it; one left by a store closed
    // without emptying it is not.
    const live = pid === SELF.pid && start === SELF.start ? openHere.has(path) : startTimeOf(pid) === start;
    out.push({ path, pid, live });
  }
  return out;
}

/** Journals of this database whose writers are gone: theirs to recover. */
export function leftoverJournals(dbPath: string): string[] {
  return journalsOf(dbPath).filter((j) => !j.live).map((j) => j.path);
}

/** The pid of another live writer of this database's audit log (not `own`), if there is one. */
export function otherWriter(dbPath: string, own: readonly string[]): number | undefined {
  return journalsOf(dbPath).find((j) => j.live && !own.includes(j.path))?.pid;
}

export interface AuditJournal {
  readonly path: string;
  /** Appends the rows with one write; on failure the file is cut back to what it held before. */
  append(rows: readonly AuditRow[]): void;
  /** Its rows are in the database: empty again, for reuse. */
  clear(): void;
  /** Closes the file, which stays (and stays this process's) until removed or disowned. */
  seal(): void;
}

export function openJournal(dbPath: string): AuditJournal {
  const path = join(dirname(dbPath), `${prefixOf(dbPath)}${String(SELF.pid)}-${SELF.start}-${randomBytes(6).toString('hex')}.journal`);
  // O_APPEND: every write lands at the end, whatever the file offset; 0600 like the database.
  const fd = openSync(path, 'a', 0o600);
  openHere.add(path);
  let length = 0;
  let open = true;
  return {
    path,
    append(rows) {
      const buf = encodeRows(rows);
      let done = 0;
      try {
        while (done < buf.length) done += writeSync(fd, buf, done, buf.length - done);
      } catch (e) {
        // A short write (a full disk) must not leave half a line for the next record to follow.
        try { ftruncateSync(fd, length); } catch { /* the next append fails the same way */ }
        throw e;
      }
      length += buf.length;
    },
    clear() {
      if (length === 0) return;
      ftruncateSync(fd, 0);
      length = 0;
    },
    seal() {
      if (!open) return;
      open = false;
      closeSync(fd);
    },
  };
}

/** Its rows are in the database (or it has none): the sealed journal goes. */
export function removeJournal(path: string): void {
  try {
    unlinkSync(path);
  } finally {
    openHere.delete(path);
  }
}

/** Its rows could not be moved in: from now on the next open of the store recovers it. */
export function disownJournal(path: string): void {
  openHere.delete(path);
}
