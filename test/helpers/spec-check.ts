import { appendFileSync } from 'node:fs';
import { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import Schema from 'typebox/schema';
import type { App } from '../../src/app.js';
import { originForm } from '../../src/http-edge.js';

/**
 * Every response a test gets from app.inject(), or over a real socket from
 * an app it listens with, is checked against the OpenAPI document the same app serves: the status must be declared for the
 * operation, and a JSON body must validate against the declared schema. A
 * route that answers something its spec does not say fails the test that
 * provoked it. Validators are compiled once per (operation, status) and
 * shared by every app of the test process, so the check stays cheap.
 *
 * SPEC_CHECK_TALLY=<file> appends this process's count of checked responses
 * to the file at exit (the closing note sums them).
 */
interface Operation {
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}
interface Doc {
  paths: Record<string, Record<string, Operation>>;
}
interface Route {
  pattern: RegExp;
  path: string;
  params: number;
}

type Validator = { Check(v: unknown): boolean; Errors(v: unknown): [boolean, { instancePath?: string; message?: string }[]] };

let doc: Doc | undefined;
let routes: Route[] = [];
const validators = new Map<string, Validator | null>();
let checked = 0;

/** Served but not part of the API description: the document itself. */
const UNDOCUMENTED = new Set(['/openapi.yaml', '/openapi.json']);
const skipped = new WeakMap<App, Set<string>>();

process.on('exit', () => {
  const tally = process.env.SPEC_CHECK_TALLY;
  if (tally && checked > 0) appendFileSync(tally, `${checked}\n`);
});

function load(app: App): Doc {
  if (doc) return doc;
  doc = app.swagger() as unknown as Doc;
  routes = Object.keys(doc.paths)
    .map((path) => ({
      path,
      params: (path.match(/\{/g) ?? []).length,
      pattern: new RegExp(`^${path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]*')}$`),
    }))
    .sort((a, b) => a.params - b.params);
  return doc;
}

function validator(key: string, schema: unknown): Validator | null {
  if (!validators.has(key)) validators.set(key, schema ? (Schema.Compile(schema as never) as unknown as Validator) : null);
  return validators.get(key)!;
}

/** A test that adds its own routes (not in the document) names them here. */
export function skipSpecCheck(app: App, path: string): void {
  const set = skipped.get(app) ?? new Set<string>();
  set.add(path);
  skipped.set(app, set);
}

export function checkAgainstSpec(app: App, method: string, url: string, res: { statusCode: number; headers: Record<string, unknown>; body: string }): void {
  const path = originForm(url).split('?')[0]!;
  if (UNDOCUMENTED.has(path) || skipped.get(app)?.has(path)) return;
  const spec = load(app);
  const route = routes.find((r) => r.pattern.test(path));
  const operation = route && spec.paths[route.path]?.[method.toLowerCase()];
  const where = `${method} ${path} → ${res.statusCode}`;
  if (!operation) {
    // Fastify's not-found handler: no route, so no operation to hold it to.
    if (res.statusCode === 404 && /route_not_found/.test(res.body)) return void checked++;
    throw new Error(`spec check: ${where}: no operation in openapi.yaml for this method and path`);
  }
  const declared = operation.responses[String(res.statusCode)] ?? operation.responses.default;
  if (!declared) {
    throw new Error(`spec check: ${where}: status not declared (declared: ${Object.keys(operation.responses).join(', ')}); body ${res.body.slice(0, 300)}`);
  }
  checked++;
  const contentType = String(res.headers['content-type'] ?? '');
  if (!contentType.includes('json') || res.body === '') return;
  const schema = declared.content?.['application/json']?.schema;
  const check = validator(`${method} ${route!.path} ${res.statusCode}`, schema);
  if (!check) throw new Error(`spec check: ${where}: a JSON body where the spec declares none`);
  const body: unknown = JSON.parse(res.body);
  if (!check.Check(body)) {
    const [, errors] = check.Errors(body);
    const first = errors.slice(0, 3).map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ');
    throw new Error(`spec check: ${where}: body does not match the declared schema: ${first}; body ${res.body.slice(0, 300)}`);
  }
}

/**
 * Answers sent over a real socket (the SDK tests) are checked as they leave;
 * a failure fails the running test, since throwing here would only turn the
 * answer into a 500. Streamed image bodies are gathered first (same bytes).
 */
function checkOnSend(app: App, fail: (message: string) => void): void {
  app.addHook('onSend', (req, reply, payload, done) => {
    if (!(req.raw instanceof IncomingMessage)) return done(null, payload);
    const check = (body: string) => {
      try {
        checkAgainstSpec(app, req.method, req.url, { statusCode: reply.statusCode, headers: reply.getHeaders(), body });
      } catch (err) {
        fail((err as Error).message);
      }
    };
    if (!(payload instanceof Readable)) {
      check(payload === null || payload === undefined ? '' : String(payload));
      return done(null, payload);
    }
    const chunks: Buffer[] = [];
    payload.on('data', (chunk: Buffer) => chunks.push(chunk));
    payload.on('error', (err) => done(err));
    payload.on('end', () => {
      const body = Buffer.concat(chunks);
      check(body.toString('utf8'));
      done(null, body);
    });
  });
}

/** Wraps app.inject so that every answer is checked before the test sees it, and checks socket answers as they leave. */
export function withSpecCheck(app: App, fail: (message: string) => void): void {
  checkOnSend(app, fail);
  const inject = app.inject.bind(app) as (opts: Record<string, unknown>) => Promise<{ statusCode: number; headers: Record<string, unknown>; body: string }>;
  (app as unknown as { inject: typeof inject }).inject = async (opts) => {
    const res = await inject(opts);
    checkAgainstSpec(app, String(opts.method ?? 'GET'), String(opts.url ?? opts.path ?? '/'), res);
    return res;
  };
}
