// aimock serving one captured route, the way a client team would set it up: its own
// OpenAI image route with a fixture holding the captured PNG for the sync scenarios
// (aimock parses the body, matches the prompt, journals and builds the answer), and a
// mount replaying the captured bytes for the 0G async routes it does not know.
// Env: FIXTURE (JSON written by servers.mjs), PEERS_DIR, PORT.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const fixture = JSON.parse(readFileSync(process.env.FIXTURE, 'utf8'));
const aimockEntry = join(process.env.PEERS_DIR, 'node_modules', '@copilotkit', 'aimock', 'dist', 'index.js');
const { LLMock } = await import(pathToFileURL(aimockEntry).href);
const mock = new LLMock({ host: '127.0.0.1', port: Number(process.env.PORT) });

if (fixture.imagePrompt) {
  mock.onImage(fixture.imagePrompt, { images: fixture.json.data.map((d) => ({ b64Json: d.b64_json })) });
} else {
  const bytes = readFileSync(fixture.bodyFile);
  mock.mount(fixture.path, {
    async handleRequest(req, res, subPath) {
      if (subPath !== '/' || req.method !== fixture.method) return false;
      for await (const _chunk of req); // a handler reads the request before answering
      res.writeHead(fixture.status, { 'content-type': fixture.contentType, 'content-length': bytes.length });
      res.end(bytes);
      return true;
    },
  });
}
const url = await mock.start();
console.log(`listening ${url}`);
process.once('SIGTERM', () => mock.stop().then(() => process.exit(0)));
