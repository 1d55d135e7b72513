/**
 * The Genesys simulator over raw HTTP, as any Genesys client sees it: OAuth, the headers and error
 * bodies of contract §2, the per-token rate limit, batch and per-event validation of contract §3,
 * fault injection, the directory of contract §6 and the inspection API. The bridge's own client is
 * tested against the simulator in genesys-client.test.ts; nothing here goes through it.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import {
  divisionSchema,
  listingPageSchema,
  presenceDefinitionSchema,
  primarySourceSchema,
  queueMemberSchema,
  queueSchema,
  skillSchema,
  systemPresences,
  userSchema,
  wrapupCodeSchema,
  nativePresenceSourceId,
  type ConversationEvent,
  eventEndpoints,
} from '../domain/genesys';
import { createSimulator, defaultSeed, defaultSimulatorClient, type Simulator } from '../simulator';
import {
  customerLeg,
  inspect,
  isoAgo,
  presenceEvent,
  routingStatusEvent,
  setFaults,
  simulatorStats,
  startTestSimulator,
  type TestSimulator,
} from './genesys-fixtures';

/** One HTTP answer as the wire carried it. */
interface Answer {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON; undefined when it is not JSON (or empty). */
  json: unknown;
}

/** OAuth client credentials. */
interface Credentials {
  clientId: string;
  clientSecret: string;
}

const readOnlyClient: Credentials = {
  clientId: 'read-only-simulator',
  clientSecret: 'simulator-only-read-only',
};
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function send(url: string, init: RequestInit): Promise<Answer> {
  const response = await fetch(url, init);
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** `POST /oauth/token` as the login host takes it: Basic auth and a form body. */
function requestToken(
  simulator: Simulator,
  credentials: Credentials = defaultSimulatorClient,
  grantType = 'client_credentials',
): Promise<Answer> {
  const basic = Buffer.from(`${credentials.clientId}:${credentials.clientSecret}`).toString('base64');
  return send(`${simulator.url}/oauth/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${basic}` },
    body: new URLSearchParams({ grant_type: grantType }),
  });
}

const tokenAnswerSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.literal('bearer'),
  expires_in: z.number().int().positive(),
});

/** A caller of the simulator speaking raw HTTP, signed in or not. */
class RawCaller {
  constructor(
    private readonly simulator: Simulator,
    private readonly authorization: string | undefined,
  ) {}

  /** A caller holding a fresh token of `credentials`. */
  static async signIn(simulator: Simulator, credentials: Credentials = defaultSimulatorClient) {
    const answer = await requestToken(simulator, credentials);
    assert.equal(answer.status, 200, answer.text);
    return new RawCaller(simulator, `Bearer ${tokenAnswerSchema.parse(answer.json).access_token}`);
  }

  /** Sends `text` as the body, verbatim. */
  sendText(method: string, path: string, text: string, contentType = 'application/json'): Promise<Answer> {
    const headers: Record<string, string> = { 'content-type': contentType };
    if (this.authorization !== undefined) headers.authorization = this.authorization;
    return send(`${this.simulator.url}${path}`, { method, headers, body: text });
  }

  request(method: string, path: string, body?: unknown): Promise<Answer> {
    if (body !== undefined) return this.sendText(method, path, JSON.stringify(body));
    const headers: Record<string, string> = {};
    if (this.authorization !== undefined) headers.authorization = this.authorization;
    return send(`${this.simulator.url}${path}`, { method, headers });
  }

  get = (path: string) => this.request('GET', path);
  post = (path: string, body: unknown) => this.request('POST', path, body);
  put = (path: string, body: unknown) => this.request('PUT', path, body);
  patch = (path: string, body: unknown) => this.request('PATCH', path, body);
  delete = (path: string) => this.request('DELETE', path);
}

/** A caller without a token: the inspection API, or an API call that must be refused. */
function anonymous(simulator: Simulator): RawCaller {
  return new RawCaller(simulator, undefined);
}

/** The body of a successful answer, parsed by `schema`. */
function bodyOf<Schema extends z.ZodType>(answer: Answer, schema: Schema, status = 200): z.infer<Schema> {
  assert.equal(answer.status, status, answer.text);
  return schema.parse(answer.json);
}

const errorBodySchema = z.object({
  message: z.string().min(1),
  code: z.string().min(1),
  status: z.number().int(),
  contextId: z.string().min(1),
  details: z.array(
    z.object({
      errorCode: z.string().optional(),
      fieldName: z.string().optional(),
      entityId: z.string().optional(),
      entityName: z.string().optional(),
    }),
  ),
  errors: z.array(z.unknown()),
});

/** Checks a Genesys error body (contract §2) whose contextId is the answer's correlation id. */
function expectGenesysError(answer: Answer, status: number, code?: string) {
  assert.equal(answer.status, status, answer.text);
  const body = errorBodySchema.parse(answer.json);
  assert.equal(body.status, status);
  if (code !== undefined) assert.equal(body.code, code);
  assert.equal(body.contextId, answer.headers.get('inin-correlation-id'));
  return body;
}

const batchAnswerSchema = z.object({
  errors: z.array(z.object({ eventId: z.string().optional(), message: z.string(), retryable: z.boolean() })),
});

/** The per-event errors of a batch answered 200. */
function eventErrorsOf(answer: Answer) {
  return bodyOf(answer, batchAnswerSchema).errors;
}

/** The per-event error of `eventId`; fails when there is none. */
function errorFor(errors: z.infer<typeof batchAnswerSchema>['errors'], eventId: string) {
  const error = errors.find((candidate) => candidate.eventId === eventId);
  assert.ok(error, `no error listed for event ${eventId}: ${JSON.stringify(errors)}`);
  return error;
}

type SimulatorStartOptions = Parameters<typeof startTestSimulator>[0];

/** Starts a fresh simulator before each test of the enclosing describe and stops it after. */
function simulatorPerTest(options: SimulatorStartOptions = {}): () => TestSimulator {
  let running: TestSimulator | undefined;
  beforeEach(async () => {
    running = await startTestSimulator(options);
  });
  afterEach(async () => {
    await running?.simulator.stop();
    running = undefined;
  });
  return () => {
    assert.ok(running, 'the simulator is not running');
    return running;
  };
}

/** A simulator whose default client's tokens live `seconds`. */
function startWithTokenLifetime(seconds: number): Promise<Simulator> {
  const organization = defaultSeed();
  organization.oauthClients = organization.oauthClients.map((client) =>
    client.clientId === defaultSimulatorClient.clientId
      ? { ...client, tokenLifetimeSeconds: seconds }
      : client,
  );
  return createSimulator({ organization });
}

/**
 * A leg established ringing at `at` (alerting true), so that it may be answered: a leg established with
 * alerting false started connected and takes no answered event.
 */
function ringingLeg(...args: Parameters<typeof customerLeg>) {
  const leg = customerLeg(...args);
  return { ...leg, initialConfiguration: { ...leg.initialConfiguration, alerting: true } };
}

/** The leg answered at `at`. */
function legAnswered(
  conversationId: string,
  communicationId: string,
  at: string,
): ConversationEvent<'communicationAnsweredEvents'> {
  return { eventId: randomUUID(), eventDateTime: at, conversationId, communicationId };
}

/** The leg ended at `at`. */
function legEnded(
  conversationId: string,
  communicationId: string,
  at: string,
): ConversationEvent<'communicationEndedEvents'> {
  return {
    eventId: randomUUID(),
    eventDateTime: at,
    conversationId,
    communicationId,
    disconnectType: 'Peer',
  };
}

const timelineSchema = z.object({
  presence: z.array(z.object({ eventId: z.string(), eventDateTime: z.string() })),
  routingStatus: z.array(z.object({ eventId: z.string(), value: z.string().optional() })),
});

/** A user's accepted presence and routing-status events, from the inspection API. */
async function timelineOf(simulator: Simulator, userId: string) {
  return timelineSchema.parse(await inspect(simulator, `users/${userId}/timeline`));
}

const conversationViewSchema = z.object({
  events: z.array(z.object({ key: z.string(), eventId: z.string() })),
  legs: z.record(z.string(), z.object({ answeredAt: z.string().optional() })),
});

const faultsViewSchema = z.object({
  plan: z.object({
    seed: z.number(),
    rules: z.array(z.object({ path: z.string(), status: z.number().optional(), rate: z.number() })),
  }),
  injected: z.object({
    statuses: z.number(),
    drops: z.number(),
    delays: z.number(),
    eventErrors: z.number(),
  }),
});

/** The fault plan in force and the faults injected so far. */
async function faultsOf(simulator: Simulator) {
  return faultsViewSchema.parse(await inspect(simulator, 'faults'));
}

/** The statuses of `count` successive calls of `path`. */
async function statusesOf(caller: RawCaller, path: string, count: number): Promise<number[]> {
  const statuses: number[] = [];
  for (let index = 0; index < count; index++) statuses.push((await caller.get(path)).status);
  return statuses;
}

const usersPath = '/api/v2/users';
const queuesPath = '/api/v2/routing/queues';
const languagesPath = '/api/v2/routing/languages';

/** Creates a user in the home division, read over the API as any caller must. */
async function createUser(caller: RawCaller, name: string) {
  const divisionId = bodyOf(await caller.get('/api/v2/authorization/divisions/home'), divisionSchema).id;
  const email = `${name.toLowerCase().replace(/\s+/g, '.')}@example.com`;
  return bodyOf(await caller.post(usersPath, { name, email, divisionId }), userSchema);
}

const namedSchema = z.object({ id: z.string(), name: z.string() });
const usersPageSchema = listingPageSchema(userSchema);

/** The ids of a listing page's entities, in order. */
function idsOf(page: { entities?: { id: string }[] | undefined }): string[] {
  return page.entities?.map((entity) => entity.id) ?? [];
}

describe('the Genesys simulator over raw HTTP', function () {
  this.timeout(20_000);

  describe('OAuth client credentials and permissions', () => {
    const sim = simulatorPerTest();

    it('issues a bearer token for the client-credentials grant that opens the API', async () => {
      const token = bodyOf(await requestToken(sim().simulator), tokenAnswerSchema);
      assert.equal(token.expires_in, 86_400);
      const caller = await RawCaller.signIn(sim().simulator);
      assert.equal((await caller.get(usersPath)).status, 200);
    });

    it('refuses a wrong secret or an unknown client with 401 bad.credentials', async () => {
      const wrongSecret = { ...defaultSimulatorClient, clientSecret: 'not-the-secret' };
      expectGenesysError(await requestToken(sim().simulator, wrongSecret), 401, 'bad.credentials');
      const unknownClient = { clientId: 'nobody', clientSecret: defaultSimulatorClient.clientSecret };
      expectGenesysError(await requestToken(sim().simulator, unknownClient), 401, 'bad.credentials');
    });

    it('refuses an API call without a bearer token with 401 authentication.required', async () => {
      expectGenesysError(await anonymous(sim().simulator).get(usersPath), 401, 'authentication.required');
    });

    it('refuses an API call with a bearer token it never issued with 401', async () => {
      const stranger = new RawCaller(sim().simulator, `Bearer ${randomUUID()}`);
      expectGenesysError(await stranger.get(usersPath), 401, 'authentication.required');
    });

    it('refuses a read-only client a write with 403 missing.permissions naming the permission', async () => {
      const readOnly = await RawCaller.signIn(sim().simulator, readOnlyClient);
      assert.equal((await readOnly.get(queuesPath)).status, 200);
      const error = expectGenesysError(
        await readOnly.post(queuesPath, { name: 'Forbidden' }),
        403,
        'missing.permissions',
      );
      assert.match(error.message, /routing:queue:add/);
      const queues = bodyOf(await readOnly.get(queuesPath), listingPageSchema(queueSchema));
      assert.ok(!queues.entities?.some((queue) => queue.name === 'Forbidden'));
    });

    it('answers a grant type other than client_credentials with 400 naming grant_type', async () => {
      const error = expectGenesysError(
        await requestToken(sim().simulator, defaultSimulatorClient, 'password'),
        400,
        'bad.request',
      );
      assert.equal(error.details[0]?.fieldName, 'grant_type');
    });
  });

  describe('a client whose tokens live one second', () => {
    let simulator: Simulator;
    before(async () => {
      simulator = await startWithTokenLifetime(1);
    });
    after(async () => {
      await simulator.stop();
    });

    it('refuses its token once the lifetime has passed', async () => {
      const token = bodyOf(await requestToken(simulator), tokenAnswerSchema);
      assert.equal(token.expires_in, 1);
      const caller = new RawCaller(simulator, `Bearer ${token.access_token}`);
      assert.equal((await caller.get(usersPath)).status, 200);
      await sleep(1_100);
      expectGenesysError(await caller.get(usersPath), 401, 'authentication.required');
    });
  });

  describe('correlation ids, rate-limit headers and error bodies', () => {
    const sim = simulatorPerTest();

    it('puts a fresh inin-correlation-id on every answer, successful or not', async () => {
      const { simulator } = sim();
      const caller = await RawCaller.signIn(simulator);
      const answers = [
        await requestToken(simulator),
        await caller.get(usersPath),
        await anonymous(simulator).get('/__simulator/stats'),
        await anonymous(simulator).get(usersPath),
        await caller.get('/api/v2/nothing/here'),
      ];
      assert.deepEqual(
        answers.map((answer) => answer.status),
        [200, 200, 200, 401, 404],
      );
      const ids = answers.map((answer) => answer.headers.get('inin-correlation-id') ?? '');
      for (const id of ids) assert.match(id, uuidPattern);
      assert.equal(new Set(ids).size, ids.length);
    });

    it('writes every error as a Genesys error body whose contextId is the correlation id', async () => {
      const { simulator } = sim();
      const caller = await RawCaller.signIn(simulator);
      const readOnly = await RawCaller.signIn(simulator, readOnlyClient);
      const supervisor = sim().seed.users[0]!;
      const cases: [() => Promise<Answer>, number, string][] = [
        [() => requestToken(simulator, defaultSimulatorClient, 'password'), 400, 'bad.request'],
        [() => caller.sendText('POST', eventEndpoints.presence, '{'), 400, 'bad.request'],
        [() => caller.get(`${usersPath}?pageSize=0`), 400, 'invalid.value'],
        [
          () => requestToken(simulator, { ...defaultSimulatorClient, clientSecret: 'x' }),
          401,
          'bad.credentials',
        ],
        [() => anonymous(simulator).get(usersPath), 401, 'authentication.required'],
        [() => readOnly.post(queuesPath, { name: 'Nope' }), 403, 'missing.permissions'],
        [() => caller.get(`${usersPath}/${randomUUID()}`), 404, 'not.found'],
        [() => caller.get('/api/v2/nothing/here'), 404, 'not.found'],
        [
          () =>
            caller.post(usersPath, {
              name: 'Twin',
              email: supervisor.email,
              divisionId: sim().seed.homeDivision.id,
            }),
          409,
          'conflict',
        ],
        [
          () => caller.sendText('POST', eventEndpoints.presence, '<events/>', 'application/xml'),
          415,
          'unsupported.media.type',
        ],
        [
          () => caller.sendText('POST', eventEndpoints.presence, 'userPresenceEvents', 'text/plain'),
          415,
          'unsupported.media.type',
        ],
      ];
      for (const [call, status, code] of cases) expectGenesysError(await call(), status, code);
    });

    it('reports the rate-limit allowance, count and reset on API answers', async () => {
      const caller = await RawCaller.signIn(sim().simulator);
      for (const expectedCount of ['1', '2', '3']) {
        const answer = await caller.get(languagesPath);
        assert.equal(answer.status, 200);
        assert.equal(answer.headers.get('inin-ratelimit-allowed'), '300');
        assert.equal(answer.headers.get('inin-ratelimit-count'), expectedCount);
        const reset = Number(answer.headers.get('inin-ratelimit-reset'));
        assert.ok(Number.isInteger(reset) && reset >= 1 && reset <= 60, `reset ${reset}`);
      }
    });
  });

  describe('the per-token rate limit', () => {
    const windowMs = 2_000;
    const sim = simulatorPerTest({ limits: { requestsPerWindow: 3, rateLimitWindowMs: windowMs } });

    /** Spends a token's whole allowance, checking each call is served. */
    async function spendAllowance(caller: RawCaller): Promise<void> {
      for (let call = 0; call < 3; call++) assert.equal((await caller.get(languagesPath)).status, 200);
    }

    it('answers the fourth request in a window with 429, a whole-second Retry-After and exactly the Genesys body', async () => {
      const caller = await RawCaller.signIn(sim().simulator);
      await spendAllowance(caller);
      const refused = await caller.get(languagesPath);
      assert.equal(refused.status, 429);
      const retryAfter = refused.headers.get('retry-after') ?? '';
      assert.match(retryAfter, /^\d+$/);
      const seconds = Number(retryAfter);
      assert.ok(seconds >= 1 && seconds <= windowMs / 1000, `Retry-After ${seconds}`);
      const expected = {
        message: `Rate limit exceeded the maximum. Retry the request in [${seconds}] seconds`,
        code: 'too.many.requests.retry.after',
        status: 429,
        contextId: refused.headers.get('inin-correlation-id'),
        details: [],
        errors: [],
      };
      assert.equal(refused.text, JSON.stringify(expected));
      assert.equal(refused.headers.get('inin-ratelimit-allowed'), '3');
      assert.equal((await simulatorStats(sim().simulator)).rateLimited, 1);
    });

    it('gives every token its own allowance', async () => {
      const first = await RawCaller.signIn(sim().simulator);
      await spendAllowance(first);
      assert.equal((await first.get(languagesPath)).status, 429);
      const second = await RawCaller.signIn(sim().simulator);
      await spendAllowance(second);
      assert.equal((await second.get(languagesPath)).status, 429);
    });

    it('frees the window as it rolls, without counting the 429s it answered', async () => {
      const caller = await RawCaller.signIn(sim().simulator);
      await spendAllowance(caller);
      const allowanceSpentAt = Date.now();
      // Refused mid-window: were they counted, they would still fill the window when the first three expire.
      await sleep(windowMs / 2);
      assert.deepEqual(await statusesOf(caller, languagesPath, 2), [429, 429]);
      await sleep(allowanceSpentAt + windowMs + 100 - Date.now());
      assert.deepEqual(await statusesOf(caller, languagesPath, 4), [200, 200, 200, 429]);
      const stats = await simulatorStats(sim().simulator);
      assert.equal(stats.rateLimited, 3);
      assert.equal(stats.requestsByStatus['200'], 7); // the token and six served calls
    });
  });

  describe('the per-client rate limit (rateLimitBy: client)', () => {
    const sim = simulatorPerTest({
      limits: { requestsPerWindow: 3, rateLimitWindowMs: 2_000, rateLimitBy: 'client' },
    });

    it('counts every token of one OAuth client against one allowance', async () => {
      const first = await RawCaller.signIn(sim().simulator);
      const second = await RawCaller.signIn(sim().simulator);
      assert.deepEqual(await statusesOf(first, languagesPath, 2), [200, 200]);
      assert.deepEqual(await statusesOf(second, languagesPath, 2), [200, 429]);
      assert.equal((await first.get(languagesPath)).status, 429);
      assert.equal((await simulatorStats(sim().simulator)).rateLimited, 2);
    });
  });

  describe('batch shape limits of the event endpoints', () => {
    const sim = simulatorPerTest({ limits: { maxEventsPerBatch: 5, maxBatchBytes: 2_048 } });

    it('refuses a body that is not a JSON object with 400 naming the expected keys', async () => {
      const caller = await RawCaller.signIn(sim().simulator);
      const presence = expectGenesysError(await caller.post(eventEndpoints.presence, []), 400, 'bad.request');
      assert.match(presence.message, /userPresenceEvents/);
      const conversations = expectGenesysError(
        await caller.post(eventEndpoints.conversations, [{ externalEstablishedEvents: [] }]),
        400,
        'bad.request',
      );
      assert.match(conversations.message, /externalEstablishedEvents/);
    });

    it('refuses an unknown top-level key with 400 naming the key', async () => {
      const caller = await RawCaller.signIn(sim().simulator);
      const presence = expectGenesysError(
        await caller.post(eventEndpoints.presence, { userPresenceEvents: [], userMoodEvents: [] }),
        400,
      );
      assert.match(presence.message, /userMoodEvents/);
      assert.equal(presence.details[0]?.fieldName, 'userMoodEvents');
      // A presence key is no conversation event type.
      const conversations = expectGenesysError(
        await caller.post(eventEndpoints.conversations, { userPresenceEvents: [] }),
        400,
      );
      assert.match(conversations.message, /userPresenceEvents/);
    });

    it('refuses an event type whose value is not an array with 400 naming the key', async () => {
      const caller = await RawCaller.signIn(sim().simulator);
      const agent = sim().agents[0]!.id;
      const presence = expectGenesysError(
        await caller.post(eventEndpoints.presence, {
          userPresenceEvents: presenceEvent(agent, sim().sourceId),
        }),
        400,
      );
      assert.match(presence.message, /userPresenceEvents/);
      const conversations = expectGenesysError(
        await caller.post(eventEndpoints.conversations, { communicationAnsweredEvents: 'none' }),
        400,
      );
      assert.equal(conversations.details[0]?.fieldName, 'communicationAnsweredEvents');
      assert.equal((await simulatorStats(sim().simulator)).eventsReceived, 0);
    });

    it('refuses more than maxEventsPerBatch events with 413, counting across event types', async () => {
      const { simulator, agents, sourceId } = sim();
      const caller = await RawCaller.signIn(simulator);
      const presenceOf = (count: number) =>
        agents.slice(0, count).map((agent) => presenceEvent(agent.id, sourceId));
      expectGenesysError(
        await caller.post(eventEndpoints.presence, { userPresenceEvents: presenceOf(6) }),
        413,
      );
      const conversations = Array.from({ length: 3 }, () => [randomUUID(), randomUUID()] as const);
      const tooMany = expectGenesysError(
        await caller.post(eventEndpoints.conversations, {
          externalEstablishedEvents: conversations.map(([conversation, leg]) =>
            ringingLeg(conversation, isoAgo(2_000), leg),
          ),
          communicationAnsweredEvents: conversations.map(([conversation, leg]) =>
            legAnswered(conversation, leg, isoAgo(1_000)),
          ),
        }),
        413,
      );
      assert.match(tooMany.message, /at most 5 events/);
      assert.equal((await simulatorStats(simulator)).eventsReceived, 0);
      assert.deepEqual(
        eventErrorsOf(await caller.post(eventEndpoints.presence, { userPresenceEvents: presenceOf(5) })),
        [],
      );
      assert.equal((await simulatorStats(simulator)).eventsAccepted, 5);
    });

    it('refuses a body over maxBatchBytes with 413 and a Genesys error body', async () => {
      const caller = await RawCaller.signIn(sim().simulator);
      const event = presenceEvent(sim().agents[0]!.id, sim().sourceId, { message: 'x'.repeat(3_000) });
      const error = expectGenesysError(
        await caller.post(eventEndpoints.presence, { userPresenceEvents: [event] }),
        413,
      );
      assert.match(error.message, /2048 bytes/);
      assert.deepEqual((await timelineOf(sim().simulator, sim().agents[0]!.id)).presence, []);
    });

    it('refuses malformed JSON with 400 bad.request', async () => {
      const caller = await RawCaller.signIn(sim().simulator);
      for (const path of [eventEndpoints.presence, eventEndpoints.conversations]) {
        expectGenesysError(
          await caller.sendText('POST', path, '{"userPresenceEvents": [{'),
          400,
          'bad.request',
        );
      }
    });
  });

  describe('per-event schema validation', () => {
    const sim = simulatorPerTest();

    it('accepts the valid events of a batch and lists each invalid one by field, not retryable', async () => {
      const { simulator, agents, sourceId } = sim();
      const caller = await RawCaller.signIn(simulator);
      const agent = agents[0]!.id;
      const valid = presenceEvent(agent, sourceId, { eventDateTime: isoAgo(5_000) });
      const { userId: _missing, ...withoutUserId } = presenceEvent(agent, sourceId);
      const invalid = [
        { ...presenceEvent(agent, sourceId), eventId: 'event-1' },
        { ...presenceEvent(agent, sourceId), eventDateTime: isoAgo(4_000).replace(/\.\d{3}Z$/, 'Z') },
        { ...presenceEvent(agent, sourceId), eventDateTime: isoAgo(3_000).replace('Z', '+00:00') },
        withoutUserId,
        { ...presenceEvent(agent, sourceId), mood: 'sunny' },
      ];
      const errors = eventErrorsOf(
        await caller.post(eventEndpoints.presence, { userPresenceEvents: [valid, ...invalid] }),
      );
      assert.equal(errors.length, invalid.length);
      const expectations: [string, RegExp][] = [
        ['event-1', /userPresenceEvents\[1\]\.eventId/],
        [invalid[1]!.eventId, /userPresenceEvents\[2\]\.eventDateTime/],
        [invalid[2]!.eventId, /userPresenceEvents\[3\]\.eventDateTime/],
        [invalid[3]!.eventId, /userPresenceEvents\[4\]\.userId/],
        [invalid[4]!.eventId, /userPresenceEvents\[5\].*mood/],
      ];
      for (const [eventId, field] of expectations) {
        const error = errorFor(errors, eventId);
        assert.match(error.message, field);
        assert.equal(error.retryable, false);
      }
      const timeline = await timelineOf(simulator, agent);
      assert.deepEqual(
        timeline.presence.map((entry) => entry.eventId),
        [valid.eventId],
      );
    });

    it('refuses a routing status outside OffQueue, Idle, Interacting, Communicating, NotResponding', async () => {
      const { simulator, agents, sourceId } = sim();
      const caller = await RawCaller.signIn(simulator);
      const idle = routingStatusEvent(agents[0]!.id, sourceId, { status: 'Idle' });
      // The older /users/{id}/routingstatus endpoint spells it OFF_QUEUE; the events endpoint does not.
      const legacy = { ...routingStatusEvent(agents[1]!.id, sourceId), status: 'OFF_QUEUE' };
      const errors = eventErrorsOf(
        await caller.post(eventEndpoints.routingStatus, { userRoutingStatusEvents: [legacy, idle] }),
      );
      assert.equal(errors.length, 1);
      assert.match(errorFor(errors, legacy.eventId).message, /userRoutingStatusEvents\[0\]\.status/);
      assert.equal(errors[0]!.retryable, false);
      assert.deepEqual((await timelineOf(simulator, agents[0]!.id)).routingStatus, [
        { eventId: idle.eventId, value: 'Idle' },
      ]);
      assert.deepEqual((await timelineOf(simulator, agents[1]!.id)).routingStatus, []);
    });

    it('refuses a conversation event with a disconnect type outside the enum, keeping the rest', async () => {
      const { simulator } = sim();
      const caller = await RawCaller.signIn(simulator);
      const conversationId = randomUUID();
      const leg = randomUUID();
      const established = customerLeg(conversationId, isoAgo(3_000), leg);
      const hungUp = { ...legEnded(conversationId, leg, isoAgo(1_000)), disconnectType: 'HungUp' };
      const errors = eventErrorsOf(
        await caller.post(eventEndpoints.conversations, {
          externalEstablishedEvents: [established],
          communicationEndedEvents: [hungUp],
        }),
      );
      assert.equal(errors.length, 1);
      assert.match(errorFor(errors, hungUp.eventId).message, /communicationEndedEvents\[0\]\.disconnectType/);
      assert.equal(errors[0]!.retryable, false);
      const conversation = conversationViewSchema.parse(
        await inspect(simulator, `conversations/${conversationId}`),
      );
      assert.deepEqual(
        conversation.events.map((event) => event.eventId),
        [established.eventId],
      );
    });
  });

  describe('the order in which a batch is applied', () => {
    const sim = simulatorPerTest();

    it('applies the events of one batch in eventDateTime order, whatever their order in the body', async () => {
      const { simulator } = sim();
      const caller = await RawCaller.signIn(simulator);
      const conversationId = randomUUID();
      const leg = randomUUID();
      const answered = legAnswered(conversationId, leg, isoAgo(1_000));
      const established = ringingLeg(conversationId, isoAgo(2_000), leg);
      // The answer comes first in the body; the leg it answers is established a second earlier.
      const errors = eventErrorsOf(
        await caller.post(eventEndpoints.conversations, {
          communicationAnsweredEvents: [answered],
          externalEstablishedEvents: [established],
        }),
      );
      assert.deepEqual(errors, []);
      const conversation = conversationViewSchema.parse(
        await inspect(simulator, `conversations/${conversationId}`),
      );
      assert.deepEqual(
        conversation.events.map((event) => event.key),
        ['externalEstablishedEvents', 'communicationAnsweredEvents'],
      );
      assert.equal(conversation.legs[leg]?.answeredAt, answered.eventDateTime);
    });

    it('applies presence events of one user in time order, whatever their order in the array', async () => {
      const { simulator, agents, sourceId } = sim();
      const caller = await RawCaller.signIn(simulator);
      const agent = agents[0]!.id;
      const later = presenceEvent(agent, sourceId, { eventDateTime: isoAgo(1_000) });
      const earlier = presenceEvent(agent, sourceId, { eventDateTime: isoAgo(3_000) });
      assert.deepEqual(
        eventErrorsOf(await caller.post(eventEndpoints.presence, { userPresenceEvents: [later, earlier] })),
        [],
      );
      assert.deepEqual(
        (await timelineOf(simulator, agent)).presence.map((entry) => entry.eventId),
        [earlier.eventId, later.eventId],
      );
    });
  });

  describe('acceptance latency', () => {
    const sim = simulatorPerTest();

    it('times every accepted event from its eventDateTime, per stream kind, and leaves refused ones out', async () => {
      const { simulator, agents, sourceId } = sim();
      const caller = await RawCaller.signIn(simulator);
      const since = Date.now();
      const agent = agents[0]!.id;
      await caller.post(eventEndpoints.presence, {
        userPresenceEvents: [presenceEvent(agent, sourceId, { eventDateTime: isoAgo(3_000) })],
      });
      // Earlier than the one accepted: refused (rule 1), so not timed.
      await caller.post(eventEndpoints.presence, {
        userPresenceEvents: [presenceEvent(agent, sourceId, { eventDateTime: isoAgo(4_000) })],
      });
      await caller.post(eventEndpoints.routingStatus, {
        userRoutingStatusEvents: [routingStatusEvent(agent, sourceId, { eventDateTime: isoAgo(1_000) })],
      });
      const latency = z
        .object({
          events: z.record(z.string(), z.object({ count: z.number(), p50: z.number(), max: z.number() })),
        })
        .parse(await inspect(simulator, `latency?since=${since}`));
      assert.equal(latency.events.presence?.count, 1);
      assert.equal(latency.events.routingStatus?.count, 1);
      assert.equal(latency.events.conversation?.count, 0);
      assert.ok(latency.events.presence.p50 >= 3_000 && latency.events.presence.p50 < 13_000);
      assert.ok(latency.events.routingStatus.p50 >= 1_000 && latency.events.routingStatus.p50 < 3_000);
      const later = z
        .object({ events: z.record(z.string(), z.object({ count: z.number() })) })
        .parse(await inspect(simulator, `latency?since=${Date.now() + 1_000}`));
      assert.equal(later.events.presence?.count, 0, 'only what was accepted since the given time');
    });
  });

  describe('fault injection', () => {
    const sim = simulatorPerTest();

    it('answers a matching request with the injected status, Retry-After and Genesys code', async () => {
      const { simulator } = sim();
      const caller = await RawCaller.signIn(simulator);
      await setFaults(simulator, { rules: [{ path: usersPath, status: 503, retryAfterSeconds: 4 }] });
      const answer = await caller.get(usersPath);
      expectGenesysError(answer, 503, 'service.unavailable');
      assert.equal(answer.headers.get('retry-after'), '4');
      assert.equal((await caller.get(queuesPath)).status, 200);
    });

    it('hits about the given share of requests and repeats the same pattern for the same seed', async () => {
      const { simulator } = sim();
      const caller = await RawCaller.signIn(simulator);
      const halfFailing = (seed: number) => ({ seed, rules: [{ path: usersPath, status: 500, rate: 0.5 }] });
      await setFaults(simulator, halfFailing(42));
      const first = await statusesOf(caller, usersPath, 40);
      const hits = first.filter((status) => status === 500).length;
      assert.ok(hits >= 8 && hits <= 32, `${hits} of 40 requests hit`);
      assert.ok(first.every((status) => status === 500 || status === 200));
      await setFaults(simulator, halfFailing(42));
      assert.deepEqual(await statusesOf(caller, usersPath, 40), first);
      await setFaults(simulator, halfFailing(43));
      assert.notDeepEqual(await statusesOf(caller, usersPath, 40), first);
    });

    it('stops a rule after the given number of hits', async () => {
      const { simulator } = sim();
      const caller = await RawCaller.signIn(simulator);
      await setFaults(simulator, { rules: [{ path: usersPath, status: 503, times: 2 }] });
      assert.deepEqual(await statusesOf(caller, usersPath, 4), [503, 503, 200, 200]);
      assert.equal((await faultsOf(simulator)).injected.statuses, 2);
    });

    it('drops the connection without an answer', async () => {
      const { simulator } = sim();
      const caller = await RawCaller.signIn(simulator);
      await setFaults(simulator, { rules: [{ path: usersPath, drop: true, times: 1 }] });
      // fetch reports a connection closed before any answer as a TypeError.
      await assert.rejects(caller.get(usersPath), TypeError);
      assert.equal((await caller.get(usersPath)).status, 200);
      assert.equal((await faultsOf(simulator)).injected.drops, 1);
    });

    it('delays the answer by the injected latency', async () => {
      const { simulator } = sim();
      const caller = await RawCaller.signIn(simulator);
      await setFaults(simulator, { rules: [{ path: usersPath, latencyMs: 300 }] });
      const started = performance.now();
      const answer = await caller.get(usersPath);
      const elapsedMs = performance.now() - started;
      assert.equal(answer.status, 200);
      assert.ok(elapsedMs >= 280, `answered after ${Math.round(elapsedMs)} ms`);
      assert.equal((await faultsOf(simulator)).injected.delays, 1);
    });

    it('never faults the inspection API', async () => {
      const { simulator } = sim();
      const caller = await RawCaller.signIn(simulator);
      await setFaults(simulator, { rules: [{ status: 500 }] });
      expectGenesysError(await caller.get(usersPath), 500, 'internal.server.error');
      for (const path of ['', 'stats', 'requests', 'organization', 'faults', 'conversations']) {
        assert.equal((await anonymous(simulator).get(`/__simulator/${path}`)).status, 200, path);
      }
      assert.equal((await faultsOf(simulator)).injected.statuses, 1);
    });

    it('shows the plan in force and the faults injected so far', async () => {
      const { simulator } = sim();
      const caller = await RawCaller.signIn(simulator);
      await setFaults(simulator, {
        seed: 9,
        rules: [
          { path: queuesPath, status: 502, times: 1 },
          { path: usersPath, latencyMs: 20 },
        ],
      });
      assert.deepEqual(await statusesOf(caller, queuesPath, 2), [502, 200]);
      assert.equal((await caller.get(usersPath)).status, 200);
      const faults = await faultsOf(simulator);
      assert.equal(faults.plan.seed, 9);
      assert.deepEqual(
        faults.plan.rules.map((rule) => [rule.path, rule.status, rule.rate]),
        [
          [queuesPath, 502, 1],
          [usersPath, undefined, 1],
        ],
      );
      assert.deepEqual(faults.injected, { statuses: 1, drops: 0, delays: 1, eventErrors: 0 });
    });

    it('refuses an invalid plan with 400 and keeps the plan in force', async () => {
      const { simulator } = sim();
      const caller = await RawCaller.signIn(simulator);
      await setFaults(simulator, { rules: [{ path: usersPath, status: 503 }] });
      const refused = await anonymous(simulator).put('/__simulator/faults', { rules: [{ rate: 2 }] });
      expectGenesysError(refused, 400);
      assert.equal((await faultsOf(simulator)).plan.rules[0]?.status, 503);
      assert.equal((await caller.get(usersPath)).status, 503);
    });
  });

  describe('a fault plan given at start', () => {
    const sim = simulatorPerTest({ faults: { rules: [{ path: usersPath, status: 503, times: 1 }] } });

    it('applies from the first request', async () => {
      const caller = await RawCaller.signIn(sim().simulator);
      assert.deepEqual(await statusesOf(caller, usersPath, 2), [503, 200]);
    });
  });

  describe('the directory', () => {
    const sim = simulatorPerTest({ agents: 2 });

    it('pages the user listing and refuses a page size over 500', async () => {
      const { simulator, seed } = sim();
      const caller = await RawCaller.signIn(simulator);
      const page = bodyOf(await caller.get(`${usersPath}?pageSize=2&pageNumber=2`), usersPageSchema);
      assert.deepEqual([page.pageSize, page.pageNumber, page.total, page.pageCount], [2, 2, 5, 3]);
      assert.deepEqual(
        idsOf(page),
        seed.users.slice(2, 4).map((user) => user.id),
      );
      const last = bodyOf(await caller.get(`${usersPath}?pageSize=2&pageNumber=3`), usersPageSchema);
      assert.deepEqual(idsOf(last), [seed.users[4]!.id]);
      assert.equal(bodyOf(await caller.get(usersPath), usersPageSchema).pageSize, 25);
      assert.equal((await caller.get(`${usersPath}?pageSize=500`)).status, 200);
      const refused = expectGenesysError(await caller.get(`${usersPath}?pageSize=501`), 400);
      assert.equal(refused.details[0]?.fieldName, 'pageSize');
    });

    it('creates a user in the home division at version 1 and refuses a second user with the same email', async () => {
      const { simulator, seed } = sim();
      const caller = await RawCaller.signIn(simulator);
      const divisionId = bodyOf(await caller.get('/api/v2/authorization/divisions/home'), divisionSchema).id;
      assert.equal(divisionId, seed.homeDivision.id);
      const created = bodyOf(
        await caller.post(usersPath, { name: 'Nora New', email: 'nora@example.com', divisionId }),
        userSchema,
      );
      assert.deepEqual(
        [created.name, created.state, created.version, created.division?.id],
        ['Nora New', 'active', 1, divisionId],
      );
      assert.equal(
        bodyOf(await caller.get(`${usersPath}/${created.id}`), userSchema).email,
        'nora@example.com',
      );
      expectGenesysError(
        await caller.post(usersPath, { name: 'Nora Twin', email: 'nora@example.com', divisionId }),
        409,
        'conflict',
      );
      assert.equal(bodyOf(await caller.get(usersPath), usersPageSchema).total, seed.users.length + 1);
    });

    it('applies a PATCH carrying the current version and refuses a stale one with 409 conflict', async () => {
      const caller = await RawCaller.signIn(sim().simulator);
      const created = await createUser(caller, 'Pat Patch');
      const titledUserSchema = userSchema.extend({ title: z.string() });
      const userPath = `${usersPath}/${created.id}`;
      const patched = bodyOf(
        await caller.patch(userPath, { version: 1, title: 'Team Lead' }),
        titledUserSchema,
      );
      assert.deepEqual([patched.version, patched.title], [2, 'Team Lead']);
      expectGenesysError(await caller.patch(userPath, { version: 1, title: 'Stale' }), 409, 'conflict');
      const current = bodyOf(await caller.get(userPath), titledUserSchema);
      assert.deepEqual([current.version, current.title], [2, 'Team Lead']);
    });

    it('deactivates a user with a state-only PATCH, moving it to the inactive listing', async () => {
      const { simulator, seed } = sim();
      const caller = await RawCaller.signIn(simulator);
      const user = seed.users[0]!;
      assert.deepEqual(idsOf(bodyOf(await caller.get(`${usersPath}?state=inactive`), usersPageSchema)), []);
      const deactivated = bodyOf(
        await caller.patch(`${usersPath}/${user.id}`, { version: 1, state: 'inactive' }),
        userSchema,
      );
      assert.deepEqual([deactivated.state, deactivated.version], ['inactive', 2]);
      const active = bodyOf(await caller.get(usersPath), usersPageSchema);
      assert.equal(active.total, seed.users.length - 1);
      assert.ok(!idsOf(active).includes(user.id));
      const inactive = bodyOf(await caller.get(`${usersPath}?state=inactive`), usersPageSchema);
      assert.deepEqual(idsOf(inactive), [user.id]);
      const everyone = bodyOf(await caller.get(`${usersPath}?state=any`), usersPageSchema);
      assert.equal(everyone.total, seed.users.length);
      assert.ok(idsOf(everyone).includes(user.id));
    });

    it('finds a user by external id and refuses the same external id on another user', async () => {
      const { simulator, seed, agents } = sim();
      const caller = await RawCaller.signIn(simulator);
      const [first, second] = seed.users;
      const externalId = { authorityName: 'crm', externalKey: 'crm-42' };
      assert.equal((await caller.post(`${usersPath}/${first!.id}/externalid`, externalId)).status, 200);
      const found = bodyOf(await caller.get(`${usersPath}/externalid/crm/crm-42`), userSchema);
      assert.equal(found.id, first!.id);
      expectGenesysError(await caller.get(`${usersPath}/externalid/crm/crm-43`), 404, 'not.found');
      expectGenesysError(
        await caller.post(`${usersPath}/${second!.id}/externalid`, externalId),
        409,
        'conflict',
      );
      const seededAgent = bodyOf(await caller.get(`${usersPath}/externalid/acd/agent-1`), userSchema);
      assert.equal(seededAgent.id, agents[0]!.id);
    });

    it('creates, reads, renames and deletes a queue', async () => {
      const { simulator, seed } = sim();
      const caller = await RawCaller.signIn(simulator);
      const created = bodyOf(
        await caller.post(queuesPath, { name: 'Billing', description: 'Bills' }),
        queueSchema,
      );
      assert.equal(created.division?.id, seed.homeDivision.id);
      expectGenesysError(await caller.post(queuesPath, { name: 'Billing' }), 409, 'conflict');
      const queuePath = `${queuesPath}/${created.id}`;
      assert.equal(
        bodyOf(await caller.put(queuePath, { name: 'Billing Tier 2' }), queueSchema).name,
        'Billing Tier 2',
      );
      assert.equal(bodyOf(await caller.get(queuePath), queueSchema).name, 'Billing Tier 2');
      assert.equal((await caller.delete(queuePath)).status, 204);
      expectGenesysError(await caller.get(queuePath), 404, 'not.found');
      assert.equal(
        bodyOf(await caller.get(queuesPath), listingPageSchema(queueSchema)).total,
        seed.queues.length,
      );
    });

    it('adds and removes queue members, at most 100 per call', async () => {
      const { simulator, seed } = sim();
      const caller = await RawCaller.signIn(simulator);
      const queue = bodyOf(await caller.post(queuesPath, { name: 'Members' }), queueSchema);
      const membersPath = `${queuesPath}/${queue.id}/members`;
      const members = async () =>
        idsOf(bodyOf(await caller.get(membersPath), listingPageSchema(queueMemberSchema)));
      // Known users, so only the count can be wrong.
      const tooMany = Array.from({ length: 101 }, (_, index) => ({
        id: seed.users[index % seed.users.length]!.id,
      }));
      const refused = expectGenesysError(await caller.post(membersPath, tooMany), 400);
      assert.match(refused.message, /100/);
      assert.deepEqual(await members(), []);
      const [first, second] = seed.users;
      assert.equal((await caller.post(membersPath, [{ id: first!.id }, { id: second!.id }])).status, 204);
      assert.equal((await caller.post(`${membersPath}?delete=true`, [{ id: first!.id }])).status, 204);
      assert.deepEqual(await members(), [second!.id]);
      expectGenesysError(await caller.get(`${membersPath}?pageSize=101`), 400);
    });

    it('assigns known wrap-up codes to a queue and refuses unknown ones', async () => {
      const { simulator, seed } = sim();
      const caller = await RawCaller.signIn(simulator);
      const codesPath = `${queuesPath}/${seed.queues[0]!.id}/wrapupcodes`;
      const [resolved, callback] = seed.wrapupCodes;
      expectGenesysError(await caller.post(codesPath, [{ id: callback!.id }, { id: randomUUID() }]), 400);
      assert.equal((await caller.post(codesPath, [{ id: resolved!.id }])).status, 200);
      const codes = bodyOf(await caller.get(codesPath), listingPageSchema(wrapupCodeSchema));
      assert.deepEqual(
        codes.entities?.map((code) => [code.id, code.name]),
        [[resolved!.id, 'Resolved']],
      );
    });

    it('creates skills and wrap-up codes and refuses a duplicate name with 409', async () => {
      const { simulator, seed } = sim();
      const caller = await RawCaller.signIn(simulator);
      const kinds = [
        ['/api/v2/routing/skills', 'Spanish', seed.skills.length],
        ['/api/v2/routing/wrapupcodes', 'No Answer', seed.wrapupCodes.length],
      ] as const;
      for (const [path, name, seeded] of kinds) {
        const created = bodyOf(await caller.post(path, { name }), skillSchema);
        assert.equal(created.name, name);
        expectGenesysError(await caller.post(path, { name }), 409, 'conflict');
        const listing = bodyOf(await caller.get(path), listingPageSchema(namedSchema));
        assert.equal(listing.total, seeded + 1);
        assert.ok(idsOf(listing).includes(created.id));
      }
    });

    it("replaces a user's routing skills in bulk and refuses unknown skills", async () => {
      const { simulator, seed } = sim();
      const caller = await RawCaller.signIn(simulator);
      const skillsPath = `${usersPath}/${seed.users[0]!.id}/routingskills`;
      const [english, billing] = seed.skills;
      const userSkills = async () =>
        bodyOf(
          await caller.get(skillsPath),
          listingPageSchema(z.object({ id: z.string(), name: z.string(), proficiency: z.number() })),
        ).entities;
      expectGenesysError(
        await caller.put(`${skillsPath}/bulk`, [
          { id: english!.id, proficiency: 3 },
          { id: randomUUID(), proficiency: 2 },
        ]),
        400,
      );
      expectGenesysError(await caller.put(`${skillsPath}/bulk`, [{ id: english!.id, proficiency: 6 }]), 400);
      assert.deepEqual(await userSkills(), []);
      const assigned = [
        { id: english!.id, proficiency: 5 },
        { id: billing!.id, proficiency: 2 },
      ];
      assert.equal((await caller.put(`${skillsPath}/bulk`, assigned)).status, 200);
      assert.deepEqual(await userSkills(), [
        { ...assigned[0], name: 'English' },
        { ...assigned[1], name: 'Billing' },
      ]);
      assert.equal((await caller.put(`${skillsPath}/bulk`, [assigned[1]])).status, 200);
      assert.deepEqual(await userSkills(), [{ ...assigned[1], name: 'Billing' }]);
    });

    it("sets a user's primary presence source and refuses an unknown source", async () => {
      const { simulator, seed } = sim();
      const caller = await RawCaller.signIn(simulator);
      const primaryPath = `/api/v2/presence/users/${seed.users[0]!.id}/primarysource`;
      const primarySource = async () => bodyOf(await caller.get(primaryPath), primarySourceSchema).sourceId;
      assert.equal(await primarySource(), nativePresenceSourceId);
      const source = bodyOf(
        await caller.post('/api/v2/presence/sources', { name: 'crm-presence' }),
        namedSchema,
      );
      const sources = bodyOf(await caller.get('/api/v2/presence/sources'), listingPageSchema(namedSchema));
      assert.ok(idsOf(sources).includes(source.id));
      assert.equal((await caller.put(primaryPath, { sourceId: source.id })).status, 200);
      assert.equal(await primarySource(), source.id);
      const refused = expectGenesysError(await caller.put(primaryPath, { sourceId: randomUUID() }), 400);
      assert.equal(refused.details[0]?.fieldName, 'sourceId');
      assert.equal(await primarySource(), source.id);
    });

    it('lists the ten system presence definitions and the seeded languages', async () => {
      const caller = await RawCaller.signIn(sim().simulator);
      const definitions = bodyOf(
        await caller.get('/api/v2/presence/definitions'),
        listingPageSchema(presenceDefinitionSchema),
      );
      assert.equal(definitions.total, 10);
      assert.deepEqual(
        new Set(definitions.entities?.map((definition) => definition.systemPresence)),
        new Set(systemPresences),
      );
      const languages = bodyOf(await caller.get(languagesPath), listingPageSchema(namedSchema));
      assert.deepEqual(
        languages.entities?.map((language) => language.name),
        ['English', 'French'],
      );
    });
  });

  describe('the inspection API', () => {
    const sim = simulatorPerTest();
    const requestLogSchema = z.object({
      total: z.number(),
      entries: z.array(
        z.object({ at: z.number(), method: z.string(), path: z.string(), status: z.number() }),
      ),
    });

    it('lists its endpoints at the root, each of them answering', async () => {
      const inspector = anonymous(sim().simulator);
      const root = bodyOf(await inspector.get('/__simulator/'), z.object({ endpoints: z.array(z.string()) }));
      for (const endpoint of [
        'GET /__simulator/stats',
        'GET|PUT /__simulator/faults',
        'POST /__simulator/reset',
      ]) {
        assert.ok(root.endpoints.includes(endpoint), `${endpoint} is not listed`);
      }
      const plainGets = root.endpoints
        .filter((endpoint) => endpoint.startsWith('GET') && !endpoint.includes(':'))
        .map((endpoint) => endpoint.split(' ')[1]!.split('?')[0]!);
      assert.ok(plainGets.length >= 5);
      for (const path of plainGets) assert.equal((await inspector.get(path)).status, 200, path);
    });

    it('filters the request log by path and time', async () => {
      const { simulator } = sim();
      const caller = await RawCaller.signIn(simulator);
      await caller.get(usersPath);
      await caller.get(queuesPath);
      await sleep(5);
      const since = Date.now();
      await caller.get('/api/v2/routing/skills');
      await caller.get(usersPath);
      const log = async (query: string) =>
        bodyOf(await anonymous(simulator).get(`/__simulator/requests?${query}`), requestLogSchema);
      const routing = await log(`path=${encodeURIComponent('/api/v2/routing')}`);
      assert.deepEqual(
        routing.entries.map((entry) => entry.path),
        [queuesPath, '/api/v2/routing/skills'],
      );
      const recent = await log(`since=${since}`);
      assert.deepEqual(
        recent.entries.map((entry) => entry.path),
        ['/api/v2/routing/skills', usersPath],
      );
      const recentUsers = await log(`path=${encodeURIComponent(usersPath)}&since=${since}`);
      assert.equal(recentUsers.total, 1);
      assert.ok(recentUsers.entries.every((entry) => entry.at >= since && entry.status === 200));
      assert.equal((await log('')).total, 5); // the token and four calls; inspection calls are not logged
    });

    it('restores the seeded organisation and zeroes its counters on reset', async () => {
      const { simulator, seed, agents, sourceId } = sim();
      const caller = await RawCaller.signIn(simulator);
      const created = await createUser(caller, 'Rita Reset');
      const agent = agents[0]!.id;
      assert.deepEqual(
        eventErrorsOf(
          await caller.post(eventEndpoints.presence, {
            userPresenceEvents: [presenceEvent(agent, sourceId)],
          }),
        ),
        [],
      );
      const before = await simulatorStats(simulator);
      assert.ok(before.requests > 0 && before.tokensIssued === 1 && before.eventsAccepted === 1);
      bodyOf(await anonymous(simulator).post('/__simulator/reset', {}), z.object({ reset: z.literal(true) }));
      const after = await simulatorStats(simulator);
      assert.deepEqual(
        [after.requests, after.tokensIssued, after.eventsReceived, after.eventsAccepted, after.rateLimited],
        [0, 0, 0, 0, 0],
      );
      assert.deepEqual((await timelineOf(simulator, agent)).presence, []);
      const fresh = await RawCaller.signIn(simulator);
      expectGenesysError(await fresh.get(`${usersPath}/${created.id}`), 404, 'not.found');
      assert.equal(bodyOf(await fresh.get(usersPath), usersPageSchema).total, seed.users.length);
    });

    it('shows the organisation without any client secret', async () => {
      const { simulator, seed } = sim();
      const answer = await anonymous(simulator).get('/__simulator/organization');
      const organization = bodyOf(
        answer,
        z.object({
          oauthClients: z.array(z.object({ clientId: z.string(), permissions: z.array(z.string()) })),
        }),
      );
      assert.deepEqual(
        organization.oauthClients.map((client) => client.clientId),
        seed.oauthClients.map((client) => client.clientId),
      );
      for (const client of seed.oauthClients) {
        assert.ok(!answer.text.includes(client.clientSecret), `the secret of ${client.clientId} is shown`);
      }
    });
  });
});
