/** `GET /healthz` says the process is up; `GET /readyz` that Temporal answers (503 with Retry-After if not). */
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { errorBody } from './http';

/** Registers `GET /healthz` and `GET /readyz`. */
export function registerHealthRoutes(
  app: FastifyInstance,
  settings: { temporal: Client; retryAfter: string },
): void {
  const { temporal, retryAfter } = settings;
  app.get('/healthz', () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    try {
      // A readiness probe must answer within its own timeout, even while Temporal hangs.
      await temporal.connection.withDeadline(Date.now() + 2_000, () =>
        temporal.workflowService.getSystemInfo({}),
      );
      return { status: 'ready' };
    } catch (error) {
      return reply
        .status(503)
        .header('retry-after', retryAfter)
        .send({
          status: 'unavailable',
          ...errorBody(
            'unavailable',
            `Temporal does not answer: ${error instanceof Error ? error.message : String(error)}`,
          ),
        });
    }
  });
}
