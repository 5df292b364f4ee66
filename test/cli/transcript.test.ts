// CLI transcript tests (after age's cmd/age/testdata): each file in transcripts/ is a script of
// commands, their stdin, and the exact output and exit status expected. See transcripts/README.md.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { baseEnv, runCli, tempDir } from '../helpers/cli.js';

const DIR = new URL('./transcripts/', import.meta.url);

interface Step {
  line: number;
  args: string[];
  stdinFile: string | undefined;
  env: Record<string, string>;
  expectStatus: number;
  stdout: string[];
  stderr: string[];
}

function splitArgs(s: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (const m of s.matchAll(re)) out.push(m[1] ?? m[2] ?? m[3] ?? '');
  return out;
}

function parse(text: string): { steps: Step[]; files: Map<string, string> } {
  const files = new Map<string, string>();
  const [script = '', ...rest] = text.split(/^(?=-- \S+ --$)/m);
  for (const block of rest) {
    const m = /^-- (\S+) --\n([\s\S]*)$/.exec(block);
    if (m?.[1] !== undefined) files.set(m[1], m[2] ?? '');
  }
  const steps: Step[] = [];
  let env: Record<string, string> = {};
  script.split('\n').forEach((raw, i) => {
    const line = raw.trimEnd();
    const current = steps.at(-1);
    if (line === '' || line.startsWith('#')) return;
    if (line.startsWith('env ')) {
      const [k, ...v] = line.slice(4).split('=');
      env = { ...env, [k ?? '']: v.join('=') };
    } else if (line.startsWith('$ keyward')) {
      const [cmd, stdinFile] = line.slice('$ keyward'.length).split(' < ');
      steps.push({ line: i + 1, args: splitArgs(cmd ?? ''), stdinFile: stdinFile?.trim(), env: { ...env }, expectStatus: 0, stdout: [], stderr: [] });
    } else if (current !== undefined && line.startsWith('exit: ')) {
      current.expectStatus = Number(line.slice(6));
    } else if (current !== undefined && (line.startsWith('stdout: ') || line === 'stdout:')) {
      current.stdout.push(line.slice(8));
    } else if (current !== undefined && line.startsWith('stderr: ')) {
      current.stderr.push(line.slice(8));
    } else {
      throw new Error(`line ${String(i + 1)}: cannot parse "${line}"`);
    }
  });
  return { steps, files };
}

/** `{{regex}}` spans match a regular expression; `$WORK` is the test's directory; the rest is literal. */
function lineMatches(pattern: string, actual: string, work: string): boolean {
  const re = pattern.replaceAll('$WORK', work).split(/(\{\{.*?\}\}(?!\}))/).map((part) =>
    part.startsWith('{{') ? `(?:${part.slice(2, -2)})` : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('');
  return new RegExp(`^${re}$`).test(actual);
}

function checkStream(name: string, expected: string[], actualText: string, work: string, where: string): void {
  const actual = actualText === '' ? [] : actualText.replace(/\n$/, '').split('\n');
  const anyRest = expected.at(-1) === '...';
  const exp = anyRest ? expected.slice(0, -1) : expected;
  const ok = (anyRest ? actual.length >= exp.length : actual.length === exp.length) && exp.every((p, i) => lineMatches(p, actual[i] ?? '', work));
  assert.ok(ok, `${where}: ${name} differs\n--- expected\n${exp.join('\n')}\n--- actual\n${actual.join('\n')}`);
}

for (const name of readdirSync(DIR).filter((f) => f.endsWith('.txt')).sort()) {
  test(`transcript ${name}`, () => {
    const { steps, files } = parse(readFileSync(new URL(name, DIR), 'utf8'));
    assert.ok(steps.length > 0, 'a transcript with no commands tests nothing');
    const work = tempDir('keyward-transcript-');
    for (const [file, content] of files) {
      const path = join(work, file);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, content);
      if (file.startsWith('bin/')) chmodSync(path, 0o755);
    }
    for (const step of steps) {
      const env = baseEnv(work, Object.fromEntries(Object.entries(step.env).map(([k, v]) => [k, v.replaceAll('$WORK', work).replaceAll('$PATH', process.env.PATH ?? '')])));
      const input = step.stdinFile === undefined ? '' : readFileSync(join(work, step.stdinFile));
      const r = runCli(step.args.map((a) => a.replaceAll('$WORK', work)), { cwd: work, env, input });
      const where = `${name}:${String(step.line)} keyward ${step.args.join(' ')}`;
      checkStream('stdout', step.stdout, r.stdout, work, where);
      checkStream('stderr', step.stderr, r.stderr, work, where);
      assert.equal(r.status, step.expectStatus, `${where}: exit status\n${r.stderr}`);
    }
  });
}
