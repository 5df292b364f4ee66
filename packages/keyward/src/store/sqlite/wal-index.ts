// Has the database changed since we last looked, without a SQLite read? A read costs a read
// transaction and its file locks (about 10 µs on the gateway's path, where Store.tokenGeneration
// is read on every request), so it is repeated only when the header of the WAL index (the -shm
// file, https://sqlite.org/walformat.html §2.1) differs from what it was before the last read.
// Every commit, by any connection of any process, rewrites that header (its frame count, change
// counter and checksums); a header read torn by a commit in progress differs too, and only costs
// a read. sqlite-store.test.ts interleaves foreign commits with reads and finds none stale.
import { closeSync, openSync, readSync } from 'node:fs';

/**
 * Has any commit happened since `remember()`? `unchanged()` reads the first copy of the WAL-index
 * header (48 bytes) with one pread, and is false whenever it cannot tell. Call it before reading
 * what depends on the database, and `remember()` (which keeps the header unchanged() read) after:
 * a commit between the two then only makes the next check read again. The -shm file outlives
 * this watcher: SQLite removes it only when the last connection closes, and the store keeps one
 * open.
 */
export function watchWalIndex(shmPath: string) {
  const HEADER_BYTES = 48;
  let fd: number | null | undefined;
  const now = Buffer.alloc(HEADER_BYTES);
  const seen = Buffer.alloc(HEADER_BYTES);
  let valid = false;
  let ok = false;
  return {
    unchanged(): boolean {
      if (fd === undefined) {
        try {
          fd = openSync(shmPath, 'r');
        } catch {
          fd = null;
        }
      }
      if (fd === null) return false;
      try {
        ok = readSync(fd, now, 0, HEADER_BYTES, 0) === HEADER_BYTES;
      } catch {
        ok = false;
      }
      return ok && valid && now.equals(seen);
    },
    remember(): void {
      if (!ok) return;
      now.copy(seen);
      valid = true;
    },
    close(): void {
      if (typeof fd === 'number') closeSync(fd);
      fd = null;
      valid = false;
    },
  };
}
