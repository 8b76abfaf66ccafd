import t from 'tap';
import { MemoryImageLinkStore } from '../../src/state/memory/image-links.js';
import { RedisImageLinkStore } from '../../src/state/redis/image-links.js';
import type { ImageLinkStore } from '../../src/state/types.js';
import { eachBackend } from '../helpers/backends.js';
import { twoHandles } from '../helpers/state-stores.js';

eachBackend(t, 'image link store', async (t, backend) => {
  const [a, b] = await twoHandles<ImageLinkStore>(
    t,
    backend,
    () => new MemoryImageLinkStore(10, 4000),
    (link) => new RedisImageLinkStore(link, 10, 4000),
  );
  await a.put('first', '{"n":1}', 7, 60_000);
  t.equal(await b.get('first'), '{"n":1}', 'a link put through one handle is read through the other');
  t.equal(await b.get('nope'), undefined);

  for (let i = 0; i < 20; i++) await a.put(`l${i}`, `{"i":${i}}`, 8, 60_000);
  t.equal(await b.get('first'), undefined, 'past the count bound the oldest go first');
  t.equal(await b.get('l9'), undefined);
  t.equal(await b.get('l19'), '{"i":19}');

  const big = 'x'.repeat(1500);
  for (let i = 0; i < 3; i++) await a.put(`big${i}`, big, big.length, 60_000);
  t.equal(await b.get('big0'), undefined, 'past the byte bound the oldest go first');
  t.equal(await b.get('big2'), big);

  await a.put('short', '{}', 2, 20);
  await new Promise((r) => setTimeout(r, 60));
  t.equal(await b.get('short'), undefined, 'a link lives its ttl at most');

  const secret = await a.secret();
  t.equal(secret.length, 32);
  t.same(await b.secret(), secret, 'every handle signs with one secret');
});
