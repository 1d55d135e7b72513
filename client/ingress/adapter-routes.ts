/**
 * `POST /v1/adapters/<source>/<adapter route>`: a vendor's records, translated by its adapter and
 * submitted as the source's events; the answer says what each record became beside the events'
 * outcomes. JSON comes from an authenticated sender of that source; a form-encoded webhook from the
 * vendor itself, which the adapter authenticates its own way, over the URL the vendor called: the public
 * URL when one is set, else the one the request names, through trusted proxies' `X-Forwarded-Proto` and
 * `X-Forwarded-Host`.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AccessGuard } from './access-guard';
import type { VendorAdapter } from './adapters/adapter';
import { answerOutcomes, batchOf, type BatchSettings } from './batches';
import { header, HttpError, jsonBody, unauthorised } from './http';

/** What the adapter routes need beyond a batch route's settings. */
export interface AdapterRouteSettings<Credentials> extends BatchSettings {
  adapters: VendorAdapter<Credentials>[];
  /** Each source's credentials as they are now, by source name, for the adapters' webhook checks. */
  sources: () => Record<string, Credentials>;
  /** Audits a refused webhook and counts its source's rate. */
  guard: AccessGuard;
  /** The ingress's base URL as vendors call it (behind a proxy); default: as requested, through trusted proxies. */
  publicUrl: string | undefined;
}

/** Registers each adapter's route. */
export function registerAdapterRoutes<Credentials>(
  app: FastifyInstance,
  settings: AdapterRouteSettings<Credentials>,
): void {
  for (const adapter of settings.adapters) {
    app.post<{ Params: { source: string } }>(
      `/v1/adapters/:source/${adapter.route}`,
      async (request, reply) => {
        const { source } = request.params;
        const records =
          typeof request.body === 'string'
            ? [webhookParams(request, request.body, adapter, settings)]
            : senderRecords(request, settings);
        const translations = adapter.translate(records, source);
        const events = translations.flatMap((translation) =>
          'events' in translation ? translation.events : [],
        );
        const outcomes = await settings.bridge.submit(events, { source });
        return answerOutcomes(reply, outcomes, settings.retryAfter, translations);
      },
    );
  }
}

/** The records of a JSON body, from a sender authenticated as the source the route names. */
function senderRecords(
  request: FastifyRequest<{ Params: { source: string } }>,
  settings: BatchSettings,
): unknown[] {
  const { source } = request.params;
  const body = jsonBody(request);
  const sender = settings.authenticate(request, body);
  if (sender !== source)
    throw new HttpError(
      403,
      'wrongSource',
      `the route is ${source}'s, but the sender is authenticated as ${sender}`,
    );
  const parsed = batchOf(body, settings.maxBatchEvents);
  // Kinesis consumers often forward `{"Records": [...]}` as they got it.
  return parsed.length === 1 && Array.isArray((parsed[0] as { Records?: unknown }).Records)
    ? (parsed[0] as { Records: unknown[] }).Records
    : parsed;
}

/** The parameters of a form-encoded webhook, once its adapter has found it authentic. */
function webhookParams<Credentials>(
  request: FastifyRequest<{ Params: { source: string } }>,
  form: string,
  adapter: VendorAdapter<Credentials>,
  settings: AdapterRouteSettings<Credentials>,
): Record<string, string> {
  const { source } = request.params;
  const params = Object.fromEntries(new URLSearchParams(form));
  if (!adapter.authenticateWebhook) {
    throw new HttpError(
      415,
      'unsupportedMediaType',
      `body: form callbacks are not accepted at ${adapter.route}; send JSON, authenticated as ${source}`,
    );
  }
  // Vendors sign the URL they called, which behind a proxy is not the one Fastify saw; request.protocol
  // and request.host read X-Forwarded-Proto and -Host only from a proxy the ingress trusts.
  const base = settings.publicUrl ?? `${request.protocol}://${request.host}`;
  const url = `${base.replace(/\/$/, '')}${request.url}`;
  const authenticateWebhook = adapter.authenticateWebhook.bind(adapter);
  settings.guard.authenticated(request, source, () => {
    const sources = settings.sources();
    const refusal = authenticateWebhook(
      { source, url, params, header: (name) => header(request, name) },
      Object.hasOwn(sources, source) ? sources[source] : undefined,
    );
    if (refusal !== undefined) throw unauthorised('invalidSignature', refusal);
    return source;
  });
  return params;
}
