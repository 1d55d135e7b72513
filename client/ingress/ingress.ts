/**
 * The HTTP ingress: where an ACD's adapter posts normalised events (`POST /v1/events`), a vendor its own
 * records (`POST /v1/adapters/…`), a source its directory (`PUT /v1/directory/snapshot`), and a probe
 * asks whether the process is up and Temporal answers (`/healthz`, `/readyz`). Each route family lives
 * in its own module; this one assembles them.
 */
import { Server as TlsServer, type SecureContextOptions } from 'node:tls';
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import type { Rate, RateLimits } from '../../config/ingress-security';
import type { ServiceMetrics } from '../../config/metrics';
import type { BridgeClient } from '../library/bridge-client';
import type { VendorCredentials } from './adapters';
import type { VendorAdapter } from './adapters/adapter';
import { AccessGuard, type AuditLog } from './access-guard';
import { registerAdapterRoutes } from './adapter-routes';
import { registerDirectoryRoute, type DirectoryIntake } from './directory-routes';
import { registerEventsRoute } from './events-route';
import { registerHealthRoutes } from './health-routes';
import { createApp, header, listeningUrl, type RequestSummary } from './http';
import {
  senderAuthentication,
  signatureHeaders,
  type Authenticate,
  type SenderCredentials,
} from './sender-authentication';

export type { DirectoryIntake } from './directory-routes';
export { signBody, signatureHeaders, type SenderCredentials } from './sender-authentication';

/** How one source proves who it is: to the native routes as a sender, to the adapters by its vendors' webhook secrets. */
export type SourceCredentials = SenderCredentials & VendorCredentials;

/** Settings of the ingress. */
export interface IngressOptions {
  bridge: BridgeClient;
  /** For the readiness check. */
  temporal: Client;
  /** By source name. */
  sources: Record<string, SourceCredentials>;
  host?: string;
  port?: number;
  /** Largest body accepted (default 1 MiB). */
  maxBodyBytes?: number;
  /** Most events in one request (default 500). */
  maxBatchEvents?: number;
  /** Largest directory snapshot accepted (default 64 MiB). */
  maxSnapshotBytes?: number;
  /** How old a signed request's timestamp may be (default 5 minutes). */
  signatureMaxAgeMs?: number;
  /** Seconds a 503 asks the sender to wait. */
  retryAfterSeconds?: number;
  /** Vendor adapters, each served at `POST /v1/adapters/<source>/<adapter route>`. */
  adapters?: VendorAdapter<SourceCredentials>[];
  /**
   * The ingress's base URL as vendors call it (behind a proxy), for webhook signatures; default: as
   * requested, through trusted proxies.
   */
  publicUrl?: string;
  /**
   * Which proxies' `X-Forwarded-Proto`, `-Host` and `-For` count (Fastify's `trustProxy`: every hop, a hop
   * count, or their addresses and CIDRs); default none.
   */
  trustProxy?: boolean | number | string[];
  /** Told of every unexpected failure (answered 500), for the process's log. */
  onError?: (error: Error, request: RequestSummary) => void;
  /** Where pushed directory snapshots go, and how their sync starts; without it the route answers 404. */
  directory?: DirectoryIntake;
  /** Where every answered request is counted, by route pattern and status (default: nowhere). */
  metrics?: ServiceMetrics;
  /** The certificate and key to serve HTTPS with (see certificate.ts); plain HTTP without. */
  tls?: SecureContextOptions;
  /** Each authenticated source's request rate (429 `rateLimited` beyond it); default none. */
  rateLimits?: RateLimits;
  /** The refused authentications a client address may spend (429 `tooManyRefusals` beyond it); default none. */
  refusalLimit?: Rate;
  /** Where each refused authentication is written, one line each (the process's logger); default nowhere. */
  auditLog?: AuditLog;
}

/** A running ingress. */
export interface Ingress {
  url: string;
  app: FastifyInstance;
  /** From now on, the sources authenticate with these credentials (a rotation; nothing is restarted). */
  replaceSources(sources: Record<string, SourceCredentials>): void;
  /** From the next TLS handshake on, serves this certificate; connections already open keep theirs. */
  replaceCertificate(tls: SecureContextOptions): void;
  close(): Promise<void>;
}

/** Starts the ingress. */
export async function startIngress(options: IngressOptions): Promise<Ingress> {
  const app = createApp({
    maxBodyBytes: options.maxBodyBytes ?? 1_048_576,
    trustProxy: options.trustProxy ?? false,
    onError: options.onError,
    ...(options.tls && { tls: options.tls }),
  });
  let sources = options.sources;
  const guard = new AccessGuard({
    rateLimits: options.rateLimits,
    refusalLimit: options.refusalLimit,
    auditLog: options.auditLog,
  });
  // Before the body is read: an address that spent its refusals costs no parsing either.
  app.addHook('onRequest', (request, _reply, done) => {
    try {
      if (request.routeOptions.url?.startsWith('/v1/')) guard.admitAddress(request);
      done();
    } catch (error) {
      done(error as Error);
    }
  });
  const { metrics } = options;
  if (metrics) {
    // Shown at zero from the start, so a rate or an increase sees the first events too.
    for (const source of Object.keys(options.sources)) {
      for (const kind of ['agent', 'conversation']) {
        for (const outcome of ['accepted', 'duplicate', 'refused', 'conversationFinished', 'unavailable']) {
          metrics.ingressEvents.add(0, { kind, source, outcome });
        }
      }
    }
    // The route's pattern (`/v1/adapters/:source/…`), never the path a sender chose: the series stay bounded.
    app.addHook('onResponse', async (request, reply) => {
      metrics.ingressRequests.add(1, {
        route: request.routeOptions.url ?? 'unmatched',
        status: String(reply.statusCode),
      });
    });
  }
  const checkSender = senderAuthentication(() => sources, options.signatureMaxAgeMs ?? 5 * 60_000);
  const authenticate: Authenticate = (request, body) =>
    guard.authenticated(request, header(request, signatureHeaders.source), () => checkSender(request, body));
  const batches = {
    bridge: options.bridge,
    authenticate,
    maxBatchEvents: options.maxBatchEvents ?? 500,
    retryAfter: String(options.retryAfterSeconds ?? 5),
  };

  registerEventsRoute(app, batches);
  registerAdapterRoutes(app, {
    ...batches,
    adapters: options.adapters ?? [],
    sources: () => sources,
    guard,
    publicUrl: options.publicUrl,
  });
  if (options.directory) {
    const maxSnapshotBytes = options.maxSnapshotBytes ?? 64 * 1_048_576;
    registerDirectoryRoute(app, { intake: options.directory, authenticate, maxSnapshotBytes });
  }
  registerHealthRoutes(app, { temporal: options.temporal, retryAfter: batches.retryAfter });

  await app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 0 });
  return {
    url: listeningUrl(app, options.tls ? 'https' : 'http'),
    app,
    replaceSources: (next) => {
      sources = next;
    },
    replaceCertificate: (tls) => {
      const server = app.server;
      if (!(server instanceof TlsServer))
        throw new Error('the ingress serves plain HTTP: it has no certificate to replace');
      server.setSecureContext(tls);
    },
    close: async () => {
      // Stop taking requests, then signal what is held at once rather than after its window.
      const closing = app.close();
      await options.bridge.flush();
      await closing;
    },
  };
}
