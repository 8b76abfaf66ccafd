// The render thread's entry (see render-thread.ts): draws a placeholder's pixels and encodes its PNG, which it transfers back.
import { parentPort } from 'node:worker_threads';
import { drawAndEncode, type Composition } from './canvas-draw.js';

export interface RenderJob {
  id: number;
  composition: Composition;
}

parentPort?.on('message', ({ id, composition }: RenderJob) => {
  const png = drawAndEncode(composition);
  parentPort!.postMessage({ id, png: png.buffer }, [png.buffer as ArrayBuffer]);
});
