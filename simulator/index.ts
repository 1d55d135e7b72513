/**
 * The Genesys Cloud simulator: one HTTP server that answers on the API paths and the login path of
 * Genesys (so one base URL serves as both hosts), enforces the contract's limits and business rules,
 * injects faults on demand and shows everything it saw through `/__simulator/`.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import formbody from '@fastify/formbody';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { guardApiRequest, registerOAuth } from './access';
import { pathOf, type SimulatorContext } from './context';
import { registerDirectoryRoutes } from './directory';
import { rateLimitMessage, sendGenesysError, SimulatorHttpError } from './errors';
import { registerEventRoutes } from './events';
import { Faults } from './faults';
import { inspectionPrefix, registerInspectionRoutes } from './inspection';
import { simulatorOptionsSchema, type SimulatorOptions } from './options';
import { registerRecordingRoutes } from './recordings';
import { defaultSeed, organizationSeedSchema } from './seed';
import { SimulatorState } from './state';

/** A running simulator. */
export interface Simulator {
  /** Base URL of both the API and the login host, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  readonly context: SimulatorContext;
  /** Stops listening and removes the uploads it kept (unless `uploadDir` was given). */
  stop(): Promise<void>;
}

function guardRequests(app: FastifyInstance, context: SimulatorContext): void {
  // Before the body is read, as a gateway would: an unauthenticated or throttled caller never gets
  // its body parsed, and every API answer carries the rate-limit headers.
  app.addHook('onRequest', async (request, reply) => {
    if (request.url.startsWith(inspectionPrefix)) return;
    const fault = context.faults.decide(request.method, pathOf(request));
    if (fault) {
      if (fault.latencyMs > 0) await sleep(fault.latencyMs);
      if (fault.drop) {
        reply.hijack();
        request.raw.socket.destroy();
        return;
      }
      if (fault.status !== undefined) {
        const retryAfter = fault.status === 429 ? (fault.retryAfterSeconds ?? 1) : fault.retryAfterSeconds;
        const message =
          fault.status === 429 ? rateLimitMessage(retryAfter ?? 1) : `Injected HTTP ${fault.status}`;
        throw new SimulatorHttpError(fault.status, message, undefined, [], retryAfter);
      }
    }
    if (request.url.startsWith('/api/v2/')) guardApiRequest(request, reply, context);
  });
}

function answerErrors(app: FastifyInstance, context: SimulatorContext): void {
  app.setErrorHandler((error: FastifyError | SimulatorHttpError, _request, reply) => {
    if (error instanceof SimulatorHttpError) return sendGenesysError(reply, error);
    const status = error.statusCode ?? 500;
    if (status === 413) {
      return sendGenesysError(
        reply,
        new SimulatorHttpError(
          413,
          `The request body exceeds the limit of ${context.limits.maxBatchBytes} bytes`,
        ),
      );
    }
    if (status >= 400 && status < 500)
      return sendGenesysError(reply, new SimulatorHttpError(status, error.message));
    return sendGenesysError(reply, new SimulatorHttpError(500, `The simulator failed: ${error.message}`));
  });
  app.setNotFoundHandler((request, reply) =>
    sendGenesysError(
      reply,
      new SimulatorHttpError(404, `No resource at ${request.method} ${pathOf(request)}`),
    ),
  );
}

function logRequests(app: FastifyInstance, context: SimulatorContext): void {
  app.decorateRequest('receivedAt', 0);
  app.decorateRequest('clientId', undefined);
  app.decorateRequest('eventCount', undefined);
  app.addHook('onRequest', async (request, reply) => {
    request.receivedAt = Date.now();
    reply.header('inin-correlation-id', randomUUID());
  });
  app.addHook('onResponse', async (request, reply) => {
    if (request.url.startsWith(inspectionPrefix)) return;
    context.state.logRequest({
      at: request.receivedAt,
      method: request.method,
      path: pathOf(request),
      route: request.routeOptions.url ?? 'unknown',
      status: reply.statusCode,
      clientId: request.clientId,
      events: request.eventCount,
      durationMs: Math.round(reply.elapsedTime),
    });
  });
}

/** Starts a simulator with `options` (defaults: loopback, a free port, `defaultSeed()`, Genesys's limits). */
export async function createSimulator(input: SimulatorOptions = {}): Promise<Simulator> {
  const options = simulatorOptionsSchema.parse(input);
  const seed = options.organization ? organizationSeedSchema.parse(options.organization) : defaultSeed();
  const ownUploadDir = options.uploadDir === undefined;
  const uploadDir = options.uploadDir ?? (await mkdtemp(join(tmpdir(), 'genesys-simulator-')));
  // A given folder may not exist yet.
  await mkdir(uploadDir, { recursive: true });
  const context: SimulatorContext = {
    state: new SimulatorState(seed, options.requestLogSize),
    faults: new Faults(options.faults),
    limits: options.limits,
    uploadDir,
    consistencyGraceMs: options.consistencyGraceMs,
  };
  const app = Fastify({ logger: false, bodyLimit: Math.max(options.limits.maxBatchBytes, 1_048_576) });
  await app.register(formbody);
  // Genesys takes JSON (and the login host a form); anything else is 415, as there.
  app.removeContentTypeParser('text/plain');
  logRequests(app, context);
  guardRequests(app, context);
  answerErrors(app, context);
  registerOAuth(app, context);
  registerEventRoutes(app, context);
  registerRecordingRoutes(app, context);
  registerDirectoryRoutes(app, context);
  registerInspectionRoutes(app, context, async () => {
    context.state = new SimulatorState(seed, options.requestLogSize);
    context.faults.clearCounters();
    for (const file of await readdir(uploadDir)) await rm(join(uploadDir, file), { force: true });
  });
  const address = await app.listen({ host: options.host, port: options.port });
  return {
    url: address,
    context,
    async stop() {
      await app.close();
      if (ownUploadDir) await rm(uploadDir, { recursive: true, force: true });
    },
  };
}

export { defaultSeed, defaultSimulatorClient, bridgePermissions } from './seed';
export type { SimulatorOptions } from './options';
export type { FaultPlanInput, FaultRuleInput } from './faults';
