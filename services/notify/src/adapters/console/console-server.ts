import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { NotFoundError, ValidationError, type Logger, type TokenVerifier } from '@kera/platform';
import type { Queue } from 'bullmq';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { DeadLetterCommands } from '../../app/dead-letters.js';
import { CONSOLE_KINDS, parseKinds, visibleTo, type ConsoleEvent, type Viewer } from '../../domain/console-events.js';
import type { ConsoleProjection } from '../redis/console-projection.js';
import { refuse, requireToken, sessionHandlers } from './console-auth.js';
import { STREAM_ID, type EventHub } from './event-hub.js';
import type { FleetSource } from './fleet-source.js';
import type { NetworkProfile, NetworkSource } from './network-source.js';

const STATIC_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../../../console');
const LEAFLET_DIR = join(dirname(createRequire(import.meta.url).resolve('leaflet/package.json')), 'dist');
const HEARTBEAT_MS = 15_000;

export interface ConsoleDeps {
  verifier: TokenVerifier;
  projection: ConsoleProjection;
  hub: EventHub;
  network: NetworkSource;
  fleet: FleetSource;
  deadLetters: DeadLetterCommands;
  /** Shown in Bull Board: notify's `webhooks` queue and fleet's `dispatch` queue. */
  queues: Queue[];
  secureCookie: boolean;
  log: Logger;
}

const viewerOf = (res: Response) => res.locals.viewer as Viewer;
const only = (viewer: Viewer, events: ConsoleEvent[]) => events.map((e) => visibleTo(e, viewer)).filter((e) => e !== undefined).map((e) => e.data);
const wrap = <K extends ConsoleEvent['kind']>(kind: K, list: unknown[]) => list.map((data) => ({ kind, data }) as ConsoleEvent);

/** Fleet's vehicles, or none (with the reason) when fleet does not answer: the rest of the console still works. */
async function vehiclesFor(deps: ConsoleDeps, authorization: string) {
  try {
    return { vehicles: await deps.fleet.vehicles(authorization), vehiclesError: null };
  } catch (err) {
    deps.log.warn({ err }, 'console: fleet ListVehicles failed');
    return { vehicles: [], vehiclesError: `fleet did not answer: ${(err as Error).message}` };
  }
}

async function snapshot(deps: ConsoleDeps, viewer: Viewer, authorization: string) {
  const lastEventId = await deps.projection.lastEventId();
  const [fleet, jobs, routes, incidents, feeds] = await Promise.all([
    vehiclesFor(deps, authorization),
    deps.projection.jobs(viewer, 300),
    deps.projection.routes(),
    deps.projection.incidents(),
    deps.projection.feeds(),
  ]);
  return {
    lastEventId,
    ...fleet,
    jobs,
    routes: only(viewer, wrap('route', routes)),
    incidents,
    feeds,
  };
}

/** GET /events: Server-Sent Events, `?kinds=` to filter, resumable with Last-Event-ID (or `?since=` for the first connect). */
function eventsHandler(deps: ConsoleDeps, stillValid: (req: Request) => Promise<boolean>) {
  return async (req: Request, res: Response): Promise<void> => {
    const kinds = parseKinds(typeof req.query.kinds === 'string' ? req.query.kinds : undefined);
    const resume = req.headers['last-event-id'] ?? (typeof req.query.since === 'string' ? req.query.since : undefined);
    if (resume !== undefined && (typeof resume !== 'string' || !STREAM_ID.test(resume))) throw new ValidationError('Last-Event-ID: expected a stream id such as 1764660000000-0');
    const viewer = viewerOf(res);
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.write('retry: 2000\n\n');
    // Resuming from further back than the bounded stream holds: tell the page to reload its snapshot.
    if (resume && (await deps.hub.missedSince(resume))) res.write('event: reset\ndata: {}\n\n');
    const unsubscribe = await deps.hub.subscribe(({ id, event }) => {
      const seen = kinds.has(event.kind) ? visibleTo(event, viewer) : undefined;
      res.write(seen ? `id: ${id}\nevent: ${seen.kind}\ndata: ${JSON.stringify(seen.data)}\n\n` : `id: ${id}\n\n`);
    }, resume);
    const heartbeat = setInterval(() => {
      void stillValid(req).then((ok) => (ok ? res.write(': keep-alive\n\n') : res.end()));
    }, HEARTBEAT_MS);
    req.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
    });
  };
}

function apiRoutes(deps: ConsoleDeps): express.Router {
  const api = express.Router();
  api.get('/me', (_req, res) => res.json({ principal: res.locals.principal, viewer: res.locals.viewer, kinds: CONSOLE_KINDS }));
  api.get('/snapshot', async (_req, res) => res.json(await snapshot(deps, viewerOf(res), res.locals.authorization as string)));
  api.get('/network', async (req, res) => {
    const profile = req.query.profile ?? 'road';
    if (profile !== 'road' && profile !== 'sidewalk') throw new ValidationError('profile: road or sidewalk');
    res.json(await deps.network.layer(profile as NetworkProfile));
  });
  api.get('/jobs/:id/timeline', async (req, res) => {
    const viewer = viewerOf(res);
    const job = await deps.projection.job(String(req.params.id));
    if (!job || (!viewer.admin && job.operatorId !== viewer.operatorId)) throw new NotFoundError(`job ${String(req.params.id)} not found`);
    res.json({ job, timeline: await deps.projection.timeline(job.id) });
  });
  api.get('/dead-letters', async (_req, res) => {
    const viewer = viewerOf(res);
    const webhooks = await deps.deadLetters.list({ operatorId: viewer.admin ? undefined : viewer.operatorId, limit: 100 });
    const ingest = viewer.admin ? await deps.projection.ingestDeadLetters() : [];
    res.json({ webhooks: webhooks.map((d) => ({ id: d.id, reason: d.reason, attempts: d.attempts, failedAt: d.failedAt ?? null, type: d.delivery.eventType, eventId: d.delivery.eventId, operatorId: d.delivery.operatorId, jobId: d.delivery.jobId, subscriptionId: d.delivery.subscriptionId })), ingest });
  });
  api.post('/dead-letters/webhooks/:id/replay', async (req, res) => {
    const viewer = viewerOf(res);
    res.json(await deps.deadLetters.replay(String(req.params.id), viewer.admin ? undefined : viewer.operatorId));
  });
  return api;
}

function errorHandler(log: Logger) {
  return (err: unknown, _req: Request, res: Response, _next: NextFunction): void => {
    if (refuse(res, err)) return;
    if (err instanceof ValidationError || (err instanceof Error && err.message.startsWith('kinds:'))) {
      res.status(400).json({ error: 'invalid_argument', reason: err.message });
    } else if (err instanceof NotFoundError) {
      res.status(404).json({ error: 'not_found', reason: err.message });
    } else {
      log.error({ err }, 'console request failed');
      res.status(500).json({ error: 'internal', reason: 'the console could not answer; see notify logs' });
    }
  };
}

function bullBoard(queues: Queue[]): express.Router {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath('/console/queues');
  createBullBoard({ queues: queues.map((q) => new BullMQAdapter(q)), serverAdapter, options: { uiConfig: { boardTitle: 'Kera queues' } } });
  return serverAdapter.getRouter() as express.Router;
}

/** The operator console on its own HTTP port: the page and its assets, the JSON API, /events and Bull Board. */
export function createConsoleApp(deps: ConsoleDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  const session = sessionHandlers(deps.verifier, deps.secureCookie);
  const anyone = requireToken(deps.verifier, ['operator', 'admin']);
  app.get('/', (_req, res) => res.redirect('/console/'));
  app.use('/console/vendor/leaflet', express.static(LEAFLET_DIR, { maxAge: '1h' }));
  app.post('/console/api/session', express.json({ limit: '16kb' }), session.signIn);
  app.delete('/console/api/session', session.signOut);
  app.use('/console/api', anyone, apiRoutes(deps));
  app.use('/console/queues', requireToken(deps.verifier, ['admin']), bullBoard(deps.queues));
  app.get('/events', anyone, eventsHandler(deps, session.stillValid));
  app.use('/console', express.static(STATIC_DIR, { index: 'index.html' }));
  app.use(errorHandler(deps.log));
  return app;
}

export async function startConsoleServer(deps: ConsoleDeps, port: number): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer(createConsoleApp(deps));
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '0.0.0.0', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
