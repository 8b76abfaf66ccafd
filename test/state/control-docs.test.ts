import t from 'tap';
import { MemoryControlDocs } from '../../src/state/memory/control-docs.js';
import { RedisControlDocs } from '../../src/state/redis/control-docs.js';
import type { ControlDocs } from '../../src/state/types.js';
import { eachBackend } from '../helpers/backends.js';
import { oneStore, twoHandles } from '../helpers/state-stores.js';

eachBackend(t, 'control docs', async (t, backend) => {
  const store = () => oneStore<ControlDocs>(t, backend, () => new MemoryControlDocs(), (l) => new RedisControlDocs(l));

  t.test('a document never written is at version 0; a write moves its version and the epoch', async (t) => {
    const d = await store();
    t.equal(await d.epoch(), 0);
    t.strictSame(await d.read(['faults']), new Map([['faults', { version: 0, json: undefined }]]));
    const written = await d.write('faults', 0, '{"rules":[]}');
    const faults = (await d.read(['faults'])).get('faults')!;
    t.equal(faults.json, '{"rules":[]}');
    t.ok(faults.version > 0);
    t.equal(written, faults.version, 'a write answers the version it moved the document to');
    t.equal(await d.epoch(), faults.version, 'the epoch is where the last write moved it');
    t.type(await d.write('clock', 0, '{"ms":5}'), 'number');
    const both = await d.read(['faults', 'clock']);
    t.equal(both.get('faults')!.version, faults.version, 'a write leaves other documents’ versions alone');
    t.ok(both.get('clock')!.version > faults.version);
    t.strictSame(await d.read([]), new Map());
  });

  t.test('a write from a version that moved on is refused and changes nothing', async (t) => {
    const d = await store();
    await d.write('keys', 0, '"v1"');
    const v1 = (await d.read(['keys'])).get('keys')!.version;
    const epoch = await d.epoch();
    t.equal(await d.write('keys', 0, '"stale"'), undefined);
    t.equal(await d.write('keys', v1 + 100, '"future"'), undefined);
    t.strictSame((await d.read(['keys'])).get('keys'), { version: v1, json: '"v1"' });
    t.equal(await d.epoch(), epoch);
    const v2 = await d.write('keys', v1, '"v2"');
    t.equal(v2, (await d.read(['keys'])).get('keys')!.version, 'the write from the current version went through');
  });

  t.test('two processes writing from the same version: exactly one wins', async (t) => {
    const [a, b] = await twoHandles<ControlDocs>(t, backend, () => new MemoryControlDocs(), (l) => new RedisControlDocs(l));
    for (let round = 0; round < 20; round++) {
      const version = (await a.read(['doc'])).get('doc')!.version;
      const won = await Promise.all([a.write('doc', version, `"a${round}"`), b.write('doc', version, `"b${round}"`)]);
      t.equal(won.filter(Boolean).length, 1, `round ${round}`);
      const json = (await b.read(['doc'])).get('doc')!.json;
      t.equal(json, won[0] ? `"a${round}"` : `"b${round}"`, 'the winner’s text is stored');
    }
  });

  t.test('reset drops every document; the epoch and versions never go back', async (t) => {
    const d = await store();
    await d.write('x', 0, '1');
    const before = (await d.read(['x'])).get('x')!.version;
    const epoch = await d.epoch();
    await d.reset();
    t.ok((await d.epoch()) > epoch, 'the epoch moved, so every cache re-reads');
    t.strictSame((await d.read(['x'])).get('x'), { version: 0, json: undefined });
    t.type(await d.write('x', 0, '2'), 'number');
    t.ok((await d.read(['x'])).get('x')!.version > before, 'a copy cached before the reset cannot match the new document');
  });
});
