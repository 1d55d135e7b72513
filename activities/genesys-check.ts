/** The Genesys connectivity check: proves a worker can reach Genesys (or the simulator) as its OAuth client. */
import type { GenesysConnection } from './genesys';
import { homeDivision, presence } from './genesys/directory';
import { asActivityFailure, GenesysApiError } from './genesys/errors';

/** What a worker learns about its Genesys organisation. */
export type GenesysReport =
  | { configured: false }
  /** Genesys refused the worker for good (bad credentials, missing permissions): fix the client. */
  | { configured: true; apiBaseUrl: string; error: string }
  | {
      configured: true;
      apiBaseUrl: string;
      homeDivision: string;
      presenceDefinitions: number;
      /** Genesys's `inin-ratelimit-allowed` for this OAuth client, if it sent one. */
      requestsAllowedPerMinute: number | undefined;
    };

/** Dependencies of the check: the worker's Genesys connection, when it has one. */
export interface GenesysCheckDependencies {
  genesys?: GenesysConnection;
}

/** Builds the Genesys check activity. */
export function createGenesysCheckActivities({ genesys }: GenesysCheckDependencies) {
  return {
    /** Reads the home division and the presence definitions, the first things the bridge needs. */
    async checkGenesys(): Promise<GenesysReport> {
      if (!genesys) return { configured: false };
      try {
        const division = await homeDivision(genesys.client);
        const definitions = await presence.definitions(genesys.client);
        return {
          configured: true,
          apiBaseUrl: genesys.client.apiBaseUrl,
          homeDivision: division.name ?? division.id,
          presenceDefinitions: definitions.length,
          requestsAllowedPerMinute: genesys.client.rateLimit?.allowed,
        };
      } catch (error) {
        // Worth reporting, not retrying: the check exists to say what is wrong with the connection.
        if (error instanceof GenesysApiError && !error.retryable) {
          return { configured: true, apiBaseUrl: genesys.client.apiBaseUrl, error: error.message };
        }
        throw asActivityFailure(error);
      }
    },
  };
}
