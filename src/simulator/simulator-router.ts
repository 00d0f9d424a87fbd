import { AsyncLocalStorage } from 'node:async_hooks';
import path from 'node:path';
import express, { Router, type RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import type { DefinitionsLocation } from '../files/definitions-files';
import type { Definitions } from '../domain/definitions';
import { createEventHandler, type HandleEventDeps } from '../usecases/handle-webhook-event';
import type { Clock, EventResult, Logger } from '../usecases/ports';
import { planRichMenu } from '../domain/rich-menu-plan';
import { CHROME_STYLESHEET, chromeStylesheet, pageSecurity } from '../pages/pages';
import { renderFlowPage } from './flow-page';
import { flowStateReader } from './flow-state';
import { renderFlowSvg } from './flow-svg';
import { fromSimulatorEvent, newSimulatorUserId, parseSimulatorRequest, SimulatorRequestError } from './from-simulator-event';
import { SimulatorMessenger } from './simulator-messenger';

/** Where the page's files are: served as they are, by this app only (no CDN), so it works offline. */
export const SIMULATOR_ASSETS = path.join('src', 'simulator', 'assets');

export interface SimulatorOptions extends Omit<HandleEventDeps, 'messenger'> {
  /** Where flows/ and content/ are, checked again on each /flow request. */
  location: DefinitionsLocation;
  assetsDir: string;
  /** The clock is fixed (SIMULATOR_NOW): the page says so. */
  fixedNow?: boolean;
  /** Served over HTTPS behind a proxy (TRUST_PROXY=on): browsers are told to stay on HTTPS. */
  https?: boolean;
}

/** Per address and minute: a person chatting sends a few events a minute; a script would send thousands. */
const EVENTS_PER_MINUTE = 120;
const USERS_PER_MINUTE = 20;
/** Ids issued and still remembered; the oldest are forgotten first (their page then asks for a new one). */
const ISSUED_IDS_KEPT = 10_000;

function perMinute(limit: number): RequestHandler {
  return rateLimit({
    windowMs: 60_000,
    limit,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    keyGenerator: (req) => ipKeyGenerator(req.ip ?? ''),
    // Whether X-Forwarded-For is believed is the app's decision ('trust proxy'), not the limiter's.
    validate: { trustProxy: false },
    message: { message: 'too many requests; wait a minute' },
  });
}

/** The simulator ids this server handed out: an id it never issued is refused, not served. */
class IssuedIds {
  private readonly ids = new Set<string>();

  issue(): string {
    const id = newSimulatorUserId();
    if (this.ids.size >= ISSUED_IDS_KEPT) this.ids.delete(this.ids.values().next().value!);
    this.ids.add(id);
    return id;
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  forget(id: string): void {
    this.ids.delete(id);
  }
}

/** Log lines of simulator users say so, next to the same fields as LINE users'. */
function simulatorLogger(logger: Logger): Logger {
  const tag = (fields: Record<string, unknown>) => ({ channel: 'simulator', ...fields });
  return {
    info: (fields, message) => logger.info(tag(fields), message),
    warn: (fields, message) => logger.warn(tag(fields), message),
    error: (fields, message) => logger.error(tag(fields), message),
  };
}

/**
 * The local chat simulator, one more adapter in front of the same use case as the webhook:
 *   GET  /                      the chat page
 *   POST /simulator/api/users   a new simulator user id
 *   POST /simulator/api/events  {userId, event, at?} → {result, messages}: the exact LINE messages;
 *                               `at` answers as if it were then (the page passes its ?at=)
 *   GET  /simulator/api/setup   the rich menu (the same plan as `npm run richmenu`) and the clock
 *   GET  /flow, /flow.svg       the whole decision tree, with any content problem
 * Its conversations live in a store of their own (`options.store`: in memory, see compose.ts), never
 * in the production tables; ids are issued by this server and rate-limited per address.
 */
export function simulatorRouter(options: SimulatorOptions): Router {
  const messenger = new SimulatorMessenger();
  // ?at= on the page: this request's turn runs at that instant; other requests keep the real clock.
  const requestInstant = new AsyncLocalStorage<Date>();
  // The chat page runs its own script (chat.js), which talks to this server only.
  const pageHeaders = pageSecurity({ scripts: true, https: options.https ?? false });
  const clock: Clock = { now: () => requestInstant.getStore() ?? options.clock.now() };
  const handleEvent = createEventHandler({ ...options, clock, messenger, logger: simulatorLogger(options.logger) });
  const running: Definitions = options.definitions;
  const flowState = flowStateReader(options.location);
  const router = Router();

  router.get('/', pageHeaders, (_req, res) => res.sendFile(path.join(options.assetsDir, 'chat.html')));
  router.get(CHROME_STYLESHEET, pageHeaders, chromeStylesheet);
  router.use('/simulator/assets', pageHeaders, express.static(options.assetsDir, { index: false, fallthrough: false }));

  const api = Router();
  const issued = new IssuedIds();
  api.use(express.json({ limit: '32kb' }));
  api.post('/users', perMinute(USERS_PER_MINUTE), (_req, res) => {
    res.status(201).json({ userId: issued.issue() });
  });
  api.get('/setup', (_req, res) => {
    const plan = planRichMenu(running);
    res.json({
      richMenu: { chatBarText: plan.chatBarText, areas: plan.areas.map((a) => ({ key: a.key, label: a.label, data: a.data })) },
      fixedNow: options.fixedNow ? options.clock.now().toISOString() : null,
    });
  });
  api.post('/events', perMinute(EVENTS_PER_MINUTE), async (req, res) => {
    let request: ReturnType<typeof parseSimulatorRequest>;
    try {
      request = parseSimulatorRequest(req.body);
    } catch (error) {
      if (!(error instanceof SimulatorRequestError)) throw error;
      res.status(400).json({ message: error.message });
      return;
    }
    const { userId, event, at } = request;
    if (!issued.has(userId)) {
      res.status(400).json({ message: 'userId was not issued by this server (or was forgotten after a restart): ask POST /simulator/api/users for a new one' });
      return;
    }
    if (event.kind === 'unfollow') issued.forget(userId);
    const incoming = fromSimulatorEvent(userId, event);
    let result: EventResult;
    let messages: ReturnType<SimulatorMessenger['collect']> = [];
    try {
      result = at ? await requestInstant.run(at, () => handleEvent(incoming)) : await handleEvent(incoming);
    } finally {
      if (incoming.kind === 'turn') messages = messenger.collect(incoming.replyToken, userId);
    }
    res.json({ result, messages });
  });
  router.use('/simulator/api', api);

  router.get('/flow', pageHeaders, (_req, res) => {
    res.type('html').send(renderFlowPage(flowState(running, options.clock.now())));
  });
  router.get('/flow.svg', pageHeaders, (_req, res) => {
    const state = flowState(running, options.clock.now());
    res.type('image/svg+xml').send(renderFlowSvg(state.picture, state.problems));
  });
  return router;
}
