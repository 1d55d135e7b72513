/**
 * The mapping event workflows use: external agent id → Genesys user id, external queue → queue id,
 * external wrap-up code → code id, external presence state → presence definition id. Resolved through
 * Genesys itself (the external-id reverse lookup, names) with a worker-side cache: hits live for
 * minutes, misses for seconds (an agent synced a moment later resolves soon), and concurrent lookups
 * of one key share one call.
 */
import { atPriority, type GenesysClient, type GenesysRequester } from '../genesys/client';
import { systemPresences, type SystemPresence } from '../../domain/genesys';
import { presence, queues, routing, users } from '../genesys/directory';
import { GenesysApiError } from '../genesys/errors';
import { requestPriorities } from '../genesys/request-budget';
import type { SnapshotLocation } from '../../domain/directory/location';
import { loadDirectorySnapshot } from './load-snapshot';
import type { DirectorySnapshot } from '../../domain/directory/snapshot';

/** Cache lifetimes. */
export interface DirectoryMappingOptions {
  /** How long a resolved id is trusted (default 10 minutes). */
  hitTtlMs?: number;
  /** How long "not in Genesys" is trusted (default 30 seconds). */
  missTtlMs?: number;
  now?: () => number;
}

/** How a source's external names relate to Genesys names, from its directory snapshot. */
export interface MappingTables {
  queueName(externalQueueId: string): string | undefined;
  wrapupCodeName(externalCodeId: string): string | undefined;
  presence(
    externalState: string,
  ): { systemPresence: SystemPresence } | { presenceDefinitionId: string } | undefined;
}

/** The mapping tables a snapshot defines. */
export function mappingTablesOf(snapshot: DirectorySnapshot): MappingTables {
  const queueNames = new Map(snapshot.queues.map((queue) => [queue.externalId, queue.name]));
  const codeNames = new Map(snapshot.wrapupCodes.map((code) => [code.externalId, code.name]));
  const states = new Map(snapshot.presenceMapping.map((mapping) => [mapping.externalState, mapping]));
  return {
    queueName: (id) => queueNames.get(id),
    wrapupCodeName: (id) => codeNames.get(id),
    presence(state) {
      const mapping = states.get(state);
      if (mapping?.presenceDefinitionId !== undefined)
        return { presenceDefinitionId: mapping.presenceDefinitionId };
      if (mapping?.systemPresence !== undefined) return { systemPresence: mapping.systemPresence };
      return undefined;
    },
  };
}

/** Above this many cached lookups, expired ones are swept before adding more. */
const maxEntries = 50_000;

interface Entry {
  value: Promise<string | undefined>;
  settledAt: number | undefined;
  found: boolean;
}

/**
 * Resolves external ids and names to Genesys ids, caching what it learns. An agent's lookup runs at
 * lookup priority (one per agent); the listings a publish waits on (presence definitions, queues,
 * wrap-up codes: one call per kind per cache lifetime) run at event priority, so a publish never queues
 * behind other agents' lookups or a directory sync.
 */
export class DirectoryMapping {
  /** Per-agent reads. */
  readonly lookupReader: GenesysRequester;
  /** Listings on the publish path. */
  private readonly eventReader: GenesysRequester;
  private readonly entries = new Map<string, Entry>();
  private definitions: { value: ReturnType<typeof presence.definitions>; readAt: number } | undefined;
  private readonly hitTtlMs: number;
  private readonly missTtlMs: number;
  private readonly now: () => number;
  /** Lookups that went to Genesys (for metrics and tests). */
  lookups = 0;

  constructor(client: GenesysClient, options: DirectoryMappingOptions = {}) {
    this.lookupReader = atPriority(client, requestPriorities.lookups);
    this.eventReader = atPriority(client, requestPriorities.events);
    this.hitTtlMs = options.hitTtlMs ?? 10 * 60_000;
    this.missTtlMs = options.missTtlMs ?? 30_000;
    this.now = options.now ?? Date.now;
  }

  /** The Genesys user carrying `externalAgentId` under `source`, if any. */
  userId(source: string, externalAgentId: string): Promise<string | undefined> {
    return this.cached(`user\u0000${source}\u0000${externalAgentId}`, async () => {
      try {
        return (await users.byExternalId(this.lookupReader, source, externalAgentId)).id;
      } catch (error) {
        if (error instanceof GenesysApiError && error.status === 404) return undefined;
        throw error;
      }
    });
  }

  /** The id of the presence source named `source` (case-insensitive), once it is registered. */
  presenceSourceId(source: string): Promise<string | undefined> {
    return this.cached(`source\u0000${source.toLowerCase()}`, async () => {
      const sources = await presence.sources(this.lookupReader);
      return sources.find(
        (candidate) => candidate.name.toLowerCase() === source.toLowerCase() && !candidate.deactivated,
      )?.id;
    });
  }

  /** The queue named `name` (case-insensitive). */
  queueId(name: string): Promise<string | undefined> {
    return this.byName('queue', name, () => queues.list(this.eventReader));
  }

  /** The wrap-up code named `name` (case-insensitive). */
  wrapupCodeId(name: string): Promise<string | undefined> {
    return this.byName('code', name, () => routing.wrapupCodes(this.eventReader));
  }

  /** The presence definition of a system presence, or a definition id checked to exist. */
  presenceDefinitionId(
    target: { systemPresence: SystemPresence } | { presenceDefinitionId: string },
  ): Promise<string | undefined> {
    const key =
      'systemPresence' in target ? `system:${target.systemPresence}` : `id:${target.presenceDefinitionId}`;
    return this.cached(`presence\u0000${key}`, async () => {
      const definitions = await this.presenceDefinitions();
      const found =
        'systemPresence' in target
          ? definitions.find(
              (definition) => definition.systemPresence === target.systemPresence && !definition.deactivated,
            )
          : definitions.find((definition) => definition.id === target.presenceDefinitionId);
      return found?.id;
    });
  }

  /** The organisation's presence definitions: one listing shared by every state's lookup. */
  private presenceDefinitions(): ReturnType<typeof presence.definitions> {
    if (this.definitions === undefined || this.now() - this.definitions.readAt >= this.hitTtlMs) {
      const read = { value: presence.definitions(this.eventReader), readAt: this.now() };
      this.definitions = read;
      read.value.catch(() => {
        if (this.definitions === read) this.definitions = undefined;
      });
    }
    return this.definitions.value;
  }

  /** Forgets what is known of one external agent and its source, so the next lookup asks Genesys. */
  forgetUser(source: string, externalAgentId: string): void {
    this.entries.delete(`user\u0000${source}\u0000${externalAgentId}`);
    this.entries.delete(`source\u0000${source.toLowerCase()}`);
  }

  /** Forgets every "not found" (a directory sync has just finished). */
  forgetMisses(): void {
    for (const [key, entry] of this.entries)
      if (entry.settledAt !== undefined && !entry.found) this.entries.delete(key);
  }

  private forgetExpired(): void {
    const now = this.now();
    for (const [key, entry] of this.entries) {
      if (
        entry.settledAt !== undefined &&
        now - entry.settledAt >= (entry.found ? this.hitTtlMs : this.missTtlMs)
      ) {
        this.entries.delete(key);
      }
    }
  }

  private byName(kind: string, name: string, list: () => Promise<{ id: string; name: string }[]>) {
    return this.cached(`${kind}\u0000${name.toLowerCase()}`, async () => {
      const all = await list();
      return all.find((entity) => entity.name.toLowerCase() === name.toLowerCase())?.id;
    });
  }

  private cached(key: string, lookup: () => Promise<string | undefined>): Promise<string | undefined> {
    const entry = this.entries.get(key);
    if (entry) {
      if (entry.settledAt === undefined) return entry.value;
      const age = this.now() - entry.settledAt;
      if (age < (entry.found ? this.hitTtlMs : this.missTtlMs)) return entry.value;
    }
    if (this.entries.size >= maxEntries) this.forgetExpired();
    this.lookups++;
    const fresh: Entry = { value: lookup(), settledAt: undefined, found: false };
    this.entries.set(key, fresh);
    fresh.value.then(
      (value) => {
        fresh.settledAt = this.now();
        fresh.found = value !== undefined;
      },
      // A failed lookup is not cached: the next caller asks again.
      () => this.entries.delete(key),
    );
    return fresh.value;
  }
}

/**
 * Without a snapshot: a queue's or wrap-up code's external id is its Genesys name, and an external state
 * spelled like a Genesys system presence (any case) is that presence.
 */
export const namesAsMapping: MappingTables = {
  queueName: (id) => id,
  wrapupCodeName: (id) => id,
  presence(state) {
    const match = systemPresences.find((name) => name.toLowerCase() === state.toLowerCase());
    return match === undefined ? undefined : { systemPresence: match };
  },
};

/**
 * The mapping tables of the snapshot at `location`, re-read at most every `ttlMs` (the sync may change
 * them); a failed read keeps serving the last good ones.
 */
export function mappingTablesFrom(
  location: SnapshotLocation,
  ttlMs = 5 * 60_000,
  now: () => number = Date.now,
): () => Promise<MappingTables> {
  let cached: { tables: MappingTables; readAt: number } | undefined;
  return async () => {
    if (cached && now() - cached.readAt < ttlMs) return cached.tables;
    try {
      cached = { tables: mappingTablesOf(await loadDirectorySnapshot(location)), readAt: now() };
    } catch (error) {
      if (!cached) throw error;
    }
    return cached.tables;
  };
}
