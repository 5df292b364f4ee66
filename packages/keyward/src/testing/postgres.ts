// PostgreSQL for tests: the machine's server (KEYWARD_TEST_PG, default 127.0.0.1:5432/test).
// Unreachable means the tests are SKIPPED, loudly, unless KEYWARD_REQUIRE_PG=1 (CI), where it fails.
import pg from 'pg';
import { after } from 'node:test';
import { randomBytes } from 'node:crypto';

export function postgresTestUrl(): string {
  return process.env.KEYWARD_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';
}

let available: Promise<boolean> | undefined;
export function postgresAvailable(): Promise<boolean> {
  // A few patient attempts: on a loaded two-core machine a connect can take seconds, and a
  // false "unreachable" would silently skip tests. A refused connection fails at once, so an
  // absent server costs about two seconds (the pauses between attempts).
  available ??= (async () => {
    for (let attempt = 0; attempt < 3; attempt++) {
      const client = new pg.Client({ connectionString: postgresTestUrl(), connectionTimeoutMillis: 10_000 });
      try {
        await client.connect();
        await client.query('SELECT 1');
        return true;
      } catch {
        await new Promise((r) => setTimeout(r, 1000));
      } finally {
        await client.end().catch(() => undefined);
      }
    }
    return false;
  })();
  return available;
}

/** Where a test file asks whether its PostgreSQL tests may run. */
export interface PostgresGate {
  readonly reachable: boolean;
  /** node:test options for one PostgreSQL test; when unreachable, skips it and counts it for the banner. */
  options(): { skip: false | string };
}

function unreachable(what: string): string {
  const reason = `PostgreSQL unreachable at ${postgresTestUrl()}`;
  // Thrown at a test file's top level, this fails the file: CI must not pass without PostgreSQL.
  if (process.env.KEYWARD_REQUIRE_PG === '1') throw new Error(`${reason}, and KEYWARD_REQUIRE_PG=1: ${what} must run`);
  return reason;
}

/**
 * Call once at a test file's top level. When PostgreSQL is unreachable, every test given
 * `gate.options()` is skipped, and the file ends with one banner that says how many.
 */
export async function postgresGate(what: string): Promise<PostgresGate> {
  if (await postgresAvailable()) return { reachable: true, options: () => ({ skip: false }) };
  const reason = unreachable(what);
  let skipped = 0;
  after(() => {
    console.warn(`\n*** ${reason}: ${String(skipped)} tests SKIPPED (${what}; set KEYWARD_TEST_PG, or KEYWARD_REQUIRE_PG=1 to fail instead) ***\n`);
  });
  return {
    reachable: false,
    options: () => {
      skipped += 1;
      return { skip: reason };
    },
  };
}

/**
 * Resolves to node:test's `skip` option for a PostgreSQL test: false when the server answers, a
 * reason string when it does not (and prints a banner). Throws under KEYWARD_REQUIRE_PG=1.
 */
export async function skipUnlessPostgres(what: string): Promise<false | string> {
  if (await postgresAvailable()) return false;
  const reason = unreachable(what);
  console.warn(`\n*** ${reason}: ${what} SKIPPED (set KEYWARD_TEST_PG, or see README "PostgreSQL for tests") ***\n`);
  return reason;
}

/** A fresh schema name for one test file; drop it with dropSchema. */
export function testSchemaName(): string {
  return `kw_test_${randomBytes(6).toString('hex')}`;
}

export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: postgresTestUrl() });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}
