import type { FastifyPluginAsync } from 'fastify';
import { readFile } from 'node:fs/promises';
import Type from 'typebox';
import { ApiError } from '../errors.js';
import { errorResponses } from '../schemas/common.js';

// dist/ui is built by scripts/bundle.mjs from ui/. src/routes, dist/routes and
// dist/bundle are all two levels below the package root, so this path holds from each.
const UI_DIR = new URL('../../dist/ui/', import.meta.url);

const FAVICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#1d4ed8"/>' +
  '<text x="16" y="22" font-family="sans-serif" font-size="15" font-weight="700" text-anchor="middle" fill="#fff">0G</text></svg>';

// The page holds no data: everything comes from the control plane, behind the admin token when one is set.
const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>0G Router emulator · console</title>
<link rel="icon" href="/_emulator/ui/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/_emulator/ui/console.css">
<script type="module" src="/_emulator/ui/console.js"></script>
</head>
<body data-admin-token="{{ADMIN_TOKEN}}"><div id="app"><p class="boot">Loading the console…</p></div></body>
</html>
`;

const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' blob:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const ASSETS: Record<string, string> = {
  'console.js': 'text/javascript; charset=utf-8',
  'console.css': 'text/css; charset=utf-8',
  'console.js.map': 'application/json',
  'console.css.map': 'application/json',
};

/**
 * GET /_emulator/ui: the live console, and its script, style sheet and icon.
 * Served without the admin token: they carry no data. The page says whether a
 * token is needed, so it asks for one instead of answering a 401 on load.
 */
export const consolePageRoutes: FastifyPluginAsync<{ adminTokenRequired: boolean }> = async (app, { adminTokenRequired }) => {
  const page = PAGE.replace('{{ADMIN_TOKEN}}', adminTokenRequired ? 'required' : 'none');
  const cache = new Map<string, Buffer>();
  const asset = async (name: string): Promise<Buffer> => {
    let body = cache.get(name);
    if (!body) {
      try {
        body = await readFile(new URL(name, UI_DIR));
      } catch {
        throw new ApiError('route_not_found', `The console is not built (${name}): run npm run build`);
      }
      cache.set(name, body);
    }
    return body;
  };
  const doc = (operationId: string, summary: string, contentType: string, errors: number[] = []) => ({
    schema: {
      operationId,
      tags: ['emulator'],
      summary,
      response: { 200: { description: contentType, content: { [contentType]: { schema: Type.String() } } }, ...errorResponses(...errors) },
    },
  });

  app.get('/_emulator/ui', doc('consolePage', 'The live console: one page, no data in it (everything comes from the control plane)', 'text/html'), async (_req, reply) =>
    reply.type('text/html; charset=utf-8').headers({ 'content-security-policy': CSP, 'cache-control': 'no-cache', 'referrer-policy': 'no-referrer' }).send(page),
  );
  app.get<{ Params: { name: string } }>('/_emulator/ui/:name', doc('consoleAsset', "The console's script, style sheet and icon", 'text/javascript', [404]), async (req, reply) => {
    const name = req.params.name;
    if (name === 'favicon.svg') return reply.type('image/svg+xml').header('cache-control', 'public, max-age=86400').send(FAVICON_SVG);
    const type = ASSETS[name];
    if (!type) throw new ApiError('route_not_found', `Unknown route: GET /_emulator/ui/${name}`);
    return reply.type(type).header('cache-control', 'no-cache').send(await asset(name));
  });
  app.get('/favicon.ico', doc('favicon', 'The icon a browser asks for on its own', 'image/svg+xml'), async (_req, reply) => reply.type('image/svg+xml').header('cache-control', 'public, max-age=86400').send(FAVICON_SVG));
};
