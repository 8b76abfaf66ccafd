import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { consoleSnapshot, listJobs, type ConsoleFilter } from '../domain/console-view.js';
import { ApiError } from '../errors.js';
import { ManualClock } from '../lib/clock.js';
import { EventHub, sseEvent } from '../lib/event-hub.js';
import { loadSharp } from '../render/sharp.js';
import { errorResponses } from '../schemas/common.js';
import { ConsoleQuery, ConsoleSnapshot, JobImageParams, JobImageQuery, JobList } from '../schemas/console.js';
import type { Services } from '../services.js';
import { jobImage } from './proxy-images.js';

const tags = ['emulator'];
const THUMB_WIDTH_PX = 160;

const filterOf = (q: { key_id?: string | undefined; limit?: string | undefined }): ConsoleFilter => ({
  keyId: q.key_id,
  ...(q.limit ? { limit: Math.max(1, Number(q.limit)) } : {}),
});

/** Control plane, part three: what the console reads (jobs, a snapshot, job images) and its live event stream. */
export const emulatorConsoleRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  // Streams with the same filter share one rendering per change: ten open tabs cost one snapshot.
  let generation = 0;
  const rendered = new Map<string, { generation: number; event: string }>();
  const render = async (filter: ConsoleFilter) => {
    const key = `${filter.keyId ?? ''} ${filter.limit ?? ''}`;
    const hit = rendered.get(key);
    if (hit?.generation === generation) return hit.event;
    if (rendered.size >= 32) rendered.clear();
    const at = generation;
    const event = sseEvent('snapshot', await consoleSnapshot(services, filter));
    if (at !== generation) return event;
    rendered.set(key, { generation, event });
    return event;
  };
  let liveJobs = 0;
  const hub = new EventHub({
    maxStreams: 16,
    throttleMs: 250,
    maxBufferedBytes: 1024 * 1024,
    tickMs: 1000,
    // On the system clock jobs move on by themselves; on a manual one only requests move anything.
    tick: () => {
      // The live count is read in the background: the tick decides on the last one it got.
      if (!(services.clock instanceof ManualClock)) void services.jobs.liveCount().then((n) => (liveJobs = n), () => {});
      const moving = liveJobs > 0 && !(services.clock instanceof ManualClock);
      if (moving) generation++;
      return moving;
    },
  });
  const unsubscribe = services.changes.subscribe(() => {
    generation++;
    hub.changed();
  });
  app.addHook('preClose', async () => {
    unsubscribe();
    hub.closeAll();
  });

  app.get(
    '/_emulator/jobs',
    {
      schema: {
        operationId: 'listJobs',
        tags,
        summary: 'Retained async jobs, newest first (of one key id): status, transitions on the emulator clock, booked charge',
        querystring: ConsoleQuery,
        response: { 200: JobList, ...errorResponses(400, 401) },
      },
    },
    async (req) => listJobs(services, filterOf(req.query)),
  );

  app.get(
    '/_emulator/snapshot',
    {
      schema: {
        operationId: 'consoleSnapshot',
        tags,
        summary: 'Everything the console shows: clock, jobs, journal (without polls), accounts with report findings, fault rules, providers',
        querystring: ConsoleQuery,
        response: { 200: ConsoleSnapshot, ...errorResponses(400, 401) },
      },
    },
    async (req) => consoleSnapshot(services, filterOf(req.query)),
  );

  app.get(
    '/_emulator/jobs/:jobId/images/:index',
    {
      schema: {
        operationId: 'getJobImage',
        tags,
        summary: "A completed job's image as PNG (`thumb=1`: 160 px wide)",
        params: JobImageParams,
        querystring: JobImageQuery,
        response: { 200: Type.Unsafe<Buffer>({ type: 'string', format: 'binary' }), ...errorResponses(400, 401, 404) },
      },
    },
    async (req, reply) => {
      const job = await services.jobs.find(req.params.jobId);
      const png = job && (await jobImage(services, job, Number(req.params.index)));
      if (!png) throw new ApiError('image_not_found');
      const body = req.query.thumb ? await (await loadSharp())(png).resize({ width: THUMB_WIDTH_PX }).png().toBuffer() : png;
      return reply.type('image/png').header('cache-control', 'private, max-age=3600').send(body);
    },
  );

  app.get(
    '/_emulator/events',
    {
      schema: {
        operationId: 'consoleEvents',
        tags,
        summary: 'Server-sent events: a `snapshot` event (GET /_emulator/snapshot) now and after every change, at most 4 per second',
        querystring: ConsoleQuery,
        response: { 200: Type.Unsafe<string>({ type: 'string', description: 'text/event-stream' }), ...errorResponses(400, 401, 429) },
      },
    },
    async (req, reply) => {
      if (hub.full) throw new ApiError('rate_limit_exceeded', 'Too many console event streams are open (16); close one', { 'retry-after': '5' });
      const filter = filterOf(req.query);
      reply.hijack();
      reply.raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        'x-accel-buffering': 'no',
        'x-request-id': req.id,
      });
      hub.open(reply.raw, () => render(filter));
    },
  );
};
