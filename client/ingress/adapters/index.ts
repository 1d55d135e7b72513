/** The vendor adapters the ingress serves, each at `POST /v1/adapters/<source>/<route>`. */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { VendorAdapter } from './adapter';
import { amazonConnectAgentAdapter, type AmazonConnectAgentMapping } from './amazon-connect-agent';
import { amazonConnectContactAdapter, type AmazonConnectContactMapping } from './amazon-connect-contact';
import { amazonConnectContactRecordsAdapter } from './amazon-connect-contact-records';
import type { TwilioCredentials } from './twilio-signature';
import { twilioRecordingsAdapter, type TwilioRecordingsMapping } from './twilio-recordings';
import { twilioTaskRouterAdapter, type TwilioTaskRouterMapping } from './twilio-taskrouter';

const names = z.record(z.string().min(1), z.string().min(1));

/** Each adapter's mapping (state names, ids), as a deployment writes it (BYOI_ADAPTER_MAPPINGS); all optional. */
export const adapterMappingsSchema = z.strictObject({
  amazonConnectAgent: z
    .strictObject({
      statuses: names.optional(),
      loggedOutState: z.string().min(1).optional(),
      agentId: z.enum(['username', 'arn']).optional(),
      routableStatuses: z.array(z.string().min(1)).optional(),
    })
    .optional(),
  amazonConnectContact: z.strictObject({ agents: names.optional(), queues: names.optional() }).optional(),
  twilioTaskRouter: z
    .strictObject({
      activities: names.optional(),
      availableActivities: z.array(z.string().min(1)).optional(),
      voiceChannels: z.array(z.string().min(1)).optional(),
    })
    .optional(),
  twilioRecordings: z.strictObject({ format: z.enum(['wav', 'mp3']).optional() }).optional(),
}) satisfies z.ZodType<{
  amazonConnectAgent?: AmazonConnectAgentMapping;
  amazonConnectContact?: AmazonConnectContactMapping;
  twilioTaskRouter?: TwilioTaskRouterMapping;
  twilioRecordings?: TwilioRecordingsMapping;
}>;

/** Each adapter's mapping. */
export type AdapterMappings = z.infer<typeof adapterMappingsSchema>;

/** Reads and checks a mappings file; every problem is named by its path. */
export function loadAdapterMappings(file: string): AdapterMappings {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(
      `BYOI_ADAPTER_MAPPINGS: ${file} is not readable JSON (${error instanceof Error ? error.message : String(error)})`,
      { cause: error },
    );
  }
  const result = adapterMappingsSchema.safeParse(parsed);
  if (!result.success) {
    const problems = result.error.issues.map(
      (issue) => `${issue.path.join('.') || '(file)'}: ${issue.message}`,
    );
    throw new Error(`BYOI_ADAPTER_MAPPINGS: ${file}: ${problems.join('; ')}`);
  }
  return result.data;
}

/** What the adapters read of a source's credentials (each vendor's webhook secrets). */
export type VendorCredentials = TwilioCredentials;

/** Every vendor adapter, with its mapping. */
export function vendorAdapters(mappings: AdapterMappings = {}): VendorAdapter<VendorCredentials>[] {
  return [
    amazonConnectAgentAdapter(mappings.amazonConnectAgent),
    amazonConnectContactAdapter(mappings.amazonConnectContact),
    twilioTaskRouterAdapter(mappings.twilioTaskRouter),
    amazonConnectContactRecordsAdapter(),
    twilioRecordingsAdapter(mappings.twilioRecordings),
  ];
}

export type { VendorAdapter, RecordTranslation, Webhook } from './adapter';
