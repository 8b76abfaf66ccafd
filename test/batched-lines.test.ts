import { spawn } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { BatchedLines } from '../src/lib/batched-lines.js';

t.test('the lines of one event-loop turn are written together, in order, when the turn ends', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'batched-lines-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'log');
  const fd = openSync(file, 'w');
  t.teardown(() => closeSync(fd));
  const lines = new BatchedLines(fd);
  t.teardown(() => lines.end());
  lines.write('{"n":1}\n');
  lines.write('{"n":2}\n');
  t.equal(readFileSync(file, 'utf8'), '', 'nothing is written during the turn');
  t.equal(lines.pendingBytes, 16);
  await new Promise((resolve) => setImmediate(resolve));
  t.equal(readFileSync(file, 'utf8'), '{"n":1}\n{"n":2}\n');
  t.equal(lines.pendingBytes, 0);
  lines.end();
  lines.write('{"n":3}\n');
  t.equal(readFileSync(file, 'utf8'), '{"n":1}\n{"n":2}\n{"n":3}\n', 'after end(), a line is written at once');
});

// A child writes 2,000 lines of ~220 bytes (440 KB) to a pipe nobody reads yet, with 256 KB allowed to wait (a pipe holds 64 KB).
const WRITER = `
import { BatchedLines } from ${JSON.stringify(new URL('../dist/lib/batched-lines.js', import.meta.url).href)};
process.stdout.fd; // as the logger does: Node makes a piped stdout non-blocking
const lines = new BatchedLines(1, 256 * 1024);
for (let i = 0; i < 2000; i++) lines.write(JSON.stringify({ i, pad: 'x'.repeat(200) }) + '\\n');
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
  t.ok(written.length < 2000, `${written.length} of 2000 lines written`);
  const notice = records.find((r) => r.dropped !== undefined);
  t.equal(notice?.dropped, 2000 - written.length, 'one line says how many were dropped');
});
