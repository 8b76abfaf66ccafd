import { spawn } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { BatchedLines } from '../src/lib/batched-lines.js';

/** A fresh file to log into, removed when the test ends. */
function logFile(t: Test): { file: string; fd: number } {
  const dir = mkdtempSync(join(tmpdir(), 'batched-lines-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'log');
  const fd = openSync(file, 'w');
  t.teardown(() => closeSync(fd));
  return { file, fd };
}

t.test('lines are gathered and written together, in order, after the flush delay', async (t) => {
  const { file, fd } = logFile(t);
  const lines = new BatchedLines(fd, 1024 * 1024, 20);
  t.teardown(() => lines.end());
  lines.write('{"n":1}\n');
  await new Promise((resolve) => setImmediate(resolve));
  lines.write('{"n":2}\n');
  t.equal(readFileSync(file, 'utf8'), '', 'nothing is written before the delay, even across turns');
  t.equal(lines.pendingBytes, 16);
  await new Promise((resolve) => setTimeout(resolve, 40));
  t.equal(readFileSync(file, 'utf8'), '{"n":1}\n{"n":2}\n');
  t.equal(lines.pendingBytes, 0);
  lines.end();
  lines.write('{"n":3}\n');
  t.equal(readFileSync(file, 'utf8'), '{"n":1}\n{"n":2}\n{"n":3}\n', 'after end(), a line is written at once');
});

t.test('a pipe-full of lines is written at once, without waiting for the delay', async (t) => {
  const { file, fd } = logFile(t);
  const lines = new BatchedLines(fd, 1024 * 1024, 60_000);
  t.teardown(() => lines.end());
  const line = `${JSON.stringify({ pad: 'é'.repeat(1000) })}\n`;
  for (let i = 0; i < 40; i++) lines.write(line);
  const written = readFileSync(file, 'utf8');
  t.ok(written.length > 0 && written.length % line.length === 0, `whole lines written at once (${written.length / line.length})`);
  t.equal(lines.pendingBytes + Buffer.byteLength(written), 40 * Buffer.byteLength(line), 'every byte either written or waiting, UTF-8 counted');
});

// A child writes 8,000 lines of ~220 bytes (1.7 MB) to a pipe nobody reads yet, with 256 KB allowed to wait: more than
// Node's stdio pipe (a socket pair: a few hundred KB on Linux) and the wait allow together.
const WRITER = `
import { BatchedLines } from ${JSON.stringify(new URL('../dist/lib/batched-lines.js', import.meta.url).href)};
process.stdout.fd; // as the logger does: Node makes a piped stdout non-blocking
const lines = new BatchedLines(1, 256 * 1024);
for (let i = 0; i < 8000; i++) lines.write(JSON.stringify({ i, pad: 'x'.repeat(200) }) + '\\n');
setImmediate(() => process.stderr.write('turn done ' + lines.pendingBytes + '\\n'));
process.stdin.on('data', () => {}).on('end', () => {
  const wait = setInterval(() => { if (lines.pendingBytes === 0) { clearInterval(wait); process.stderr.write('drained\\n'); } }, 5);
});
`;

t.test('a reader that stops reading never blocks the writer; what waits is bounded, and drops are reported', async (t) => {
  const child = spawn(process.execPath, ['--input-type=module', '-e', WRITER], { stdio: ['pipe', 'pipe', 'pipe'] });
  t.teardown(() => void child.kill('SIGKILL'));
  child.stdout.pause();
  let stderr = '';
  const said = (text: string) =>
    new Promise<void>((resolve, reject) => {
      const check = () => (stderr.includes(text) ? resolve() : undefined);
      child.stderr.on('data', (d) => {
        stderr += d;
        check();
      });
      child.once('exit', (code) => reject(new Error(`writer exited (${code}) before "${text}": ${stderr}`)));
      check();
    });
  await said('turn done');
  const waiting = Number(/turn done (\d+)/.exec(stderr)![1]);
  t.ok(waiting > 0 && waiting <= 256 * 1024, `the turn ended with the pipe full and ${waiting} bytes waiting (at most 256 KB)`);
  let out = '';
  child.stdout.on('data', (d) => (out += d)).resume();
  child.stdin.end();
  await said('drained');
  child.kill('SIGKILL');
  const records = out.trim().split('\n').map((line) => JSON.parse(line) as { i?: number; dropped?: number });
  const written = records.filter((r) => r.i !== undefined).map((r) => r.i!);
  t.same(written, written.map((_, k) => k), 'the lines kept are the first ones, whole and in order');
  t.ok(written.length < 8000, `${written.length} of 8000 lines written`);
  const notice = records.find((r) => r.dropped !== undefined);
  t.equal(notice?.dropped, 8000 - written.length, 'one line says how many were dropped');
});
