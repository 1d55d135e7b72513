/** The vendor adapters the ingress serves, each at `POST /v1/adapters/<source>/<route>`. */
import type { VendorAdapter } from './adapter';
import { amazonConnectAgentAdapter, type AmazonConnectAgentMapping } from './amazon-connect-agent';
import { amazonConnectContactAdapter, type AmazonConnectContactMapping } from './amazon-connect-contact';
import { twilioTaskRouterAdapter, type TwilioTaskRouterMapping } from './twilio-taskrouter';

/** Each adapter's mapping (state names, ids); every one is optional. */
export interface AdapterMappings {
  amazonConnectAgent?: AmazonConnectAgentMapping;
  amazonConnectContact?: AmazonConnectContactMapping;
  twilioTaskRouter?: TwilioTaskRouterMapping;
}

/** Every vendor adapter, with its mapping. */
export function vendorAdapters(mappings: AdapterMappings = {}): VendorAdapter[] {
  return [
    amazonConnectAgentAdapter(mappings.amazonConnectAgent),
    amazonConnectContactAdapter(mappings.amazonConnectContact),
    twilioTaskRouterAdapter(mappings.twilioTaskRouter),
  ];
}

export type { VendorAdapter, RecordTranslation } from './adapter';
