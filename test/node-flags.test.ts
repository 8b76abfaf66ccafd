import { readFileSync } from 'node:fs';
import t from 'tap';

// The server's Node flags (a larger young generation: see README, performance) are
// written in three places a user starts it from; they must say the same thing.
const root = new URL('../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');

const startScript = (JSON.parse(read('package.json')) as { scripts: { start: string } }).scripts.start;
const fromStart = /^node((?: --\S+)*) scripts\/start\.mjs$/.exec(startScript)?.[1]?.trim().split(' ') ?? [];

t.test('npm start passes the young-generation flag', async (t) => {
  t.ok(fromStart.some((flag) => /^--max-semi-space-size=\d+$/.test(flag)), startScript);
});

t.test('the image runs with the same flags as npm start', async (t) => {
  const cmd = /^CMD (\[.*\])$/m.exec(read('Dockerfile'))?.[1];
  t.ok(cmd, 'the Dockerfile has an exec-form CMD');
  t.same(JSON.parse(cmd!), ['node', ...fromStart, 'dist/bundle/server.js']);
});

t.test('the bin (the bundle) runs with the same flags as npm start', async (t) => {
  const shebang = read('dist/bundle/server.js').split('\n', 1)[0];
  t.equal(shebang, `#!/usr/bin/env -S node ${fromStart.join(' ')}`);
});
