import t from 'tap';
import { CanvasPool } from '../src/render/canvas-pool.js';
import { renderPlaceholder } from '../src/render/placeholder.js';

t.test('a returned canvas is reused for the same size, and the free list is bounded in bytes', async (t) => {
  const pool = new CanvasPool(10);
  const a = pool.take(4);
  pool.give(a);
  t.equal(pool.take(4), a, 'the same buffer comes back');
  t.not(pool.take(4), a, 'once taken, it is not handed out twice');
  pool.give(Buffer.alloc(6));
  pool.give(Buffer.alloc(4));
  t.equal(pool.freeBytes, 10);
  pool.give(Buffer.alloc(1));
  t.equal(pool.freeBytes, 10, 'past the bound a canvas is left to the garbage collector');
  t.equal(pool.take(5).length, 5, 'a size with no free canvas is allocated');
});

t.test('renders on reused canvases are the same bytes as on fresh ones', async (t) => {
  const params = { model: 'z-image', prompt: 'a reused canvas', width: 96, height: 64, index: 0, providerAddress: '0xa11ce0000000000000000000000000000000a001' };
  const first = await renderPlaceholder(params);
  // Another render of the same size in between leaves its pixels on the canvas the next one takes.
  await renderPlaceholder({ ...params, prompt: 'something else entirely', index: 3 });
  t.ok((await renderPlaceholder(params)).equals(first));
});
