/**
 * The benchmark's baseline process: a plain forwarder with no Temporal (`tools/bench/plain-forwarder.ts`)
 * on the same `POST /v1/events` as the ingress. `GET /stats` answers what it published.
 *
 *   tsx scripts/plain-forwarder.ts --simulator http://127.0.0.1:8090 --port 8095
 */
import { Command } from 'commander';
import Fastify from 'fastify';
import { connectGenesys } from '../activities/genesys';
import { defaultSimulatorClient } from '../simulator/seed';
import { forwardedEventSchema, organizationIds, PlainForwarder } from '../tools/bench/plain-forwarder';

interface Flags {
  simulator: string;
  port: number;
  source: string;
  requestsPerMinute: number;
}

async function main(): Promise<void> {
  const flags = new Command('plain-forwarder')
    .requiredOption('--simulator <url>', 'the Genesys simulator')
    .option('--port <port>', 'port on 127.0.0.1', Number, 8095)
    .option('--source <name>', 'the external source', 'acd')
    .option('--requests-per-minute <count>', 'the Genesys request budget', Number, 300)
    .parse()
    .opts<Flags>();
  const { client, publisher } = connectGenesys({
    hosts: { apiBaseUrl: flags.simulator, loginBaseUrl: flags.simulator },
    clientId: defaultSimulatorClient.clientId,
    clientSecret: defaultSimulatorClient.clientSecret,
    requestsPerMinute: flags.requestsPerMinute,
    budgetHeadroom: 0.1,
    maxEventsPerBatch: 100,
    maxBatchBytes: 1_048_576,
    publishIntervalMs: 250,
  });
  const forwarder = new PlainForwarder(await organizationIds(flags.simulator, flags.source), publisher);

  const app = Fastify({ bodyLimit: 16 * 1_048_576 });
  app.post('/v1/events', async (request, reply) => {
    const events = Array.isArray(request.body) ? (request.body as unknown[]) : [request.body];
    const outcomes = events.map((raw) => {
      const parsed = forwardedEventSchema.safeParse(raw);
      if (!parsed.success)
        return { outcome: 'refused', errors: [{ field: '', message: parsed.error.message }] };
      forwarder.accept(parsed.data);
      return { outcome: 'accepted' };
    });
    return reply.code(202).send({ outcomes });
  });
  app.get('/stats', () => ({ ...forwarder.stats, streamsInFlight: forwarder.streamsInFlight }));
  await app.listen({ host: '127.0.0.1', port: flags.port });
  console.log(JSON.stringify({ url: `http://127.0.0.1:${flags.port}` }));
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await app.close();
  client.close();
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
