// The PNG encoder's worker thread (see png-offload.ts): reads the shared canvas, answers with the PNG transferred.
import { parentPort } from 'node:worker_threads';
import { encodeRgbPng } from './png-encode.js';

export interface EncodeJob {
  id: number;
  shared: SharedArrayBuffer;
  offset: number;
  width: number;
  height: number;
}

parentPort?.on('message', ({ id, shared, offset, width, height }: EncodeJob) => {
  const png = encodeRgbPng(Buffer.from(shared, offset, width * height * 3), width, height);
  parentPort!.postMessage({ id, png: png.buffer }, [png.buffer as ArrayBuffer]);
});
