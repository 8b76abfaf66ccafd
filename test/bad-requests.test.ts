import { readdirSync, readFileSync } from 'node:fs';
import sharp from 'sharp';
import t from 'tap';
import { AUTH, generate, generationBody, makeApp } from './helpers/app.js';
import { multipart, samplePng, type Part } from './helpers/multipart.js';

interface Case {
  name: string;
  method?: 'GET' | 'POST' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
  rawBody?: string;
  generate?: string;
  multipart?: ({ name: string; value: string } | { name: string; file: string })[];
  truncate?: number;
  noAuth?: boolean;
  noContentType?: boolean;
  expect: { status: number; code: string };
}

const dir = new URL('../fixtures/bad-requests/', import.meta.url);
const corpus: (Case & { file: string })[] = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .flatMap((file) => (JSON.parse(readFileSync(new URL(file, dir), 'utf8')) as Case[]).map((c) => ({ ...c, file })));

function generated(spec: string): string {
  const [kind, size] = spec.split(':') as [string, string];
  const n = Number(size);
  const head = '{"model":"z-image","prompt":"x","response_format":"b64_json","extra":';
  if (kind === 'nested-arrays') return `${head}${'['.repeat(n)}${']'.repeat(n)}}`;
  if (kind === 'nested-objects') return `${head}${'{"a":'.repeat(n)}1${'}'.repeat(n)}}`;
  if (kind === 'huge-json') return `${head}"${'x'.repeat(n)}"}`;
  throw new Error(`unknown generator ${spec}`);
}

t.test(`the bad-request corpus (${corpus.length} cases) gets documented 4xx envelopes, never a 500`, async (t) => {
  t.ok(corpus.length >= 60, 'at least 60 cases');
  const app = await makeApp(t, { uploadLimitBytes: 64 * 1024 });
  const png = await samplePng(64, 64);
  const files: Record<string, { data: Buffer; type: string }> = {
    png: { data: png, type: 'image/png' },
    text: { data: Buffer.from('this is not an image'), type: 'text/plain' },
    'truncated-png': { data: png.subarray(0, 40), type: 'image/png' },
    empty: { data: Buffer.alloc(0), type: 'image/png' },
    big: {
      data: await sharp({ create: { width: 400, height: 400, channels: 3, background: '#357' } }).png({ compressionLevel: 0 }).toBuffer(),
      type: 'image/png',
    },
  };
  const byStatus = new Map<number, number>();
  for (const c of corpus) {
    const headers: Record<string, string> = { ...(c.noAuth ? {} : AUTH) };
    let payload: string | Buffer | undefined;
    if (c.multipart) {
      const parts: Part[] = c.multipart.map((p) =>
        'file' in p ? { name: p.name, filename: `${p.file}.bin`, contentType: files[p.file]!.type, data: files[p.file]!.data } : p,
      );
      const built = multipart(parts);
      Object.assign(headers, built.headers);
      payload = c.truncate ? built.payload.subarray(0, built.payload.length - c.truncate) : built.payload;
    } else if (c.generate) payload = generated(c.generate);
    else if (c.rawBody !== undefined) payload = c.rawBody;
    else if (c.body !== undefined) payload = JSON.stringify(c.body);
    if (payload !== undefined && !c.multipart && !c.noContentType) headers['content-type'] = 'application/json';
    Object.assign(headers, c.headers);
    const res = await app.inject({ method: c.method ?? 'POST', url: c.url, headers, ...(payload !== undefined ? { payload } : {}) });
    byStatus.set(res.statusCode, (byStatus.get(res.statusCode) ?? 0) + 1);
    const label = `${c.file}: ${c.name}`;
    t.equal(res.statusCode, c.expect.status, `${label}: status`);
    t.ok(res.statusCode < 500, `${label}: not a 5xx`);
    let body: { error?: { code?: string; type?: string; message?: string }; request_id?: string } = {};
    try {
      body = res.json();
    } catch {
      t.fail(`${label}: body is not JSON: ${res.body.slice(0, 80)}`);
    }
    t.equal(body.error?.code, c.expect.code, `${label}: code`);
    t.ok(body.error?.type && body.error.message && body.request_id, `${label}: full envelope`);
  }
  t.comment(`outcomes by status: ${[...byStatus].sort().map(([s, n]) => `${s} x${n}`).join(', ')}`);
  const alive = await generate(app, generationBody());
  t.equal(alive.statusCode, 200, 'the server keeps serving');
});
