import { randomBytes } from 'node:crypto';
import sharp from 'sharp';

export type Part = { name: string; value: string } | { name: string; filename: string; contentType: string; data: Buffer };

/** A multipart/form-data body built by hand, so tests can also build broken ones. */
export function multipart(parts: Part[]): { payload: Buffer; headers: Record<string, string> } {
  const boundary = `----emulator${randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const part of parts) {
    if ('data' in part) {
      chunks.push(
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"; filename="${part.filename}"\r\nContent-Type: ${part.contentType}\r\n\r\n`,
        ),
        part.data,
        Buffer.from('\r\n'),
      );
    } else {
      chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"\r\n\r\n${part.value}\r\n`));
    }
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

export async function samplePng(width = 300, height = 200): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 20, g: 160, b: 90 } } }).png().toBuffer();
}

export function imagePart(data: Buffer, name = 'image'): Part {
  return { name, filename: 'source.png', contentType: 'image/png', data };
}

export function editFields(overrides: Record<string, string> = {}): Part[] {
  const fields = { model: 'qwen-image-edit', prompt: 'make it night', size: '512x512', response_format: 'b64_json', ...overrides };
  return Object.entries(fields).map(([name, value]) => ({ name, value }));
}
