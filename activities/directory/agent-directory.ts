/**
 * A source's agent directory: what its last directory sync left in Genesys for every snapshot user —
 * external agent id → Genesys user id, and the user's primary presence source — with the source's presence
 * source id. The sync writes it beside the pushed snapshots (`<data dir>/directory/<source>.agents.json`,
 * whole then renamed into place) and every worker answers agent look-ups from it: one listing per sync,
 * shared by all agents and workers, instead of two Genesys reads per agent. On a cluster, the folder is
 * storage the workers share.
 */
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { sourceNameSchema } from '../../domain/events/envelope';
import { nativePresenceSourceId } from '../../domain/genesys';
import type { DirectoryApplyResult } from './apply';
import type { GenesysDirectory } from './plan';
import type { DirectorySnapshot } from '../../domain/directory/snapshot';

/** The agent directory file as written and as validated when read. */
export const agentDirectoryFileSchema = z.object({
  source: sourceNameSchema,
  /** The Genesys API the sync read: a worker talking to another Genesys ignores the file. */
  genesys: z.string().min(1),
  /** The source's presence source id. */
  presenceSourceId: z.string().min(1),
  syncedAt: z.iso.datetime(),
  /** By external agent id. `primarySourceId` is `PURECLOUD` when Genesys itself is the primary source. */
  agents: z.record(z.string(), z.object({ userId: z.string().min(1), primarySourceId: z.string().min(1) })),
});
/** The agent directory file. */
export type AgentDirectoryFile = z.infer<typeof agentDirectoryFileSchema>;

/** One source's agent directory, in memory. */
export interface AgentDirectoryListing {
  source: string;
  presenceSourceId: string;
  syncedAt: string;
  agents: ReadonlyMap<string, { userId: string; primarySourceId: string }>;
}

/** The folder of agent directories under a deployment's data folder (`BYOI_DATA_DIR`). */
export function agentDirectoryFolder(dataDir: string): string {
  return path.resolve(dataDir, 'directory');
}

/**
 * The agent directory a sync leaves: every active snapshot user that now carries its external id in
 * Genesys (read so, or written by this attempt), with its primary source as read or as written. Users the
 * sync could not place (a refused creation, an external id not written) are left out: their agents fall
 * back to the reverse look-up, as before there was a directory.
 */
export function agentDirectoryOf(
  snapshot: DirectorySnapshot,
  directory: GenesysDirectory,
  applied: Pick<DirectoryApplyResult, 'presenceSourceId' | 'placed'>,
  genesys: string,
  syncedAt: Date,
): AgentDirectoryFile | undefined {
  const { presenceSourceId } = applied;
  if (presenceSourceId === undefined) return undefined;
  const read = new Map(directory.users.map((user) => [user.id, user]));
  const agents: AgentDirectoryFile['agents'] = {};
  for (const user of snapshot.users) {
    const placed = applied.placed[user.externalId];
    if (!user.active || placed === undefined) continue;
    const before = read.get(placed.userId);
    if (!placed.externalIdWritten && before?.externalKey !== user.externalId) continue;
    agents[user.externalId] = {
      userId: placed.userId,
      primarySourceId: placed.primarySourceWritten
        ? presenceSourceId
        : (before?.primarySourceId ?? nativePresenceSourceId),
    };
  }
  return { source: snapshot.source, genesys, presenceSourceId, syncedAt: syncedAt.toISOString(), agents };
}

/** Options of {@link AgentDirectory}. */
export interface AgentDirectoryOptions {
  /** The Genesys API this worker talks to; files written against another one are ignored. */
  genesys: string;
  /** How long a read is trusted before the file's modification is checked again (default 5 s). */
  recheckMs?: number;
  /** Hears why a file that exists is not used (unreadable, invalid, another Genesys). */
  onProblem?: (problem: string, file: string) => void;
  now?: () => number;
}

interface SourceState {
  checkedAt: number;
  /** The file version the listing was read from (`undefined`: no file). */
  stamp: string | undefined;
  listing: AgentDirectoryListing | undefined;
  loading: { stamp: string; listing: Promise<AgentDirectoryListing | undefined> } | undefined;
}

/** Writes and reads the agent directories in one folder. */
export class AgentDirectory {
  private readonly sources = new Map<string, SourceState>();
  private readonly recheckMs: number;
  private readonly now: () => number;
  /** Files read and parsed (for tests and metrics). */
  loads = 0;

  constructor(
    readonly folder: string,
    private readonly options: AgentDirectoryOptions,
  ) {
    this.recheckMs = options.recheckMs ?? 5_000;
    this.now = options.now ?? Date.now;
  }

  /** Where `source`'s agent directory lives. */
  fileOf(source: string): string {
    return path.join(this.folder, `${source}.agents.json`);
  }

  /** Replaces `source`'s agent directory whole: a reader sees the old file or the new one, never half. */
  async write(directory: AgentDirectoryFile): Promise<string> {
    await mkdir(this.folder, { recursive: true });
    const file = this.fileOf(directory.source);
    const part = `${file}.${process.pid}.${this.now()}.part`;
    await writeFile(part, JSON.stringify(directory));
    await rename(part, file);
    return file;
  }

  /** Removes `source`'s agent directory (a sync that could not register the source has none to give). */
  async remove(source: string): Promise<void> {
    await rm(this.fileOf(source), { force: true });
  }

  /**
   * `source`'s agent directory, if there is a usable one. The file is checked for a change at most every
   * `recheckMs`, and at once when `fresh` (a directory sync has just finished).
   */
  async listing(source: string, fresh = false): Promise<AgentDirectoryListing | undefined> {
    let state = this.sources.get(source);
    if (!state) {
      state = { checkedAt: -Infinity, stamp: undefined, listing: undefined, loading: undefined };
      this.sources.set(source, state);
    }
    if (!fresh && this.now() - state.checkedAt < this.recheckMs) return state.listing;
    const file = this.fileOf(source);
    const stamp = await this.stampOf(file);
    state.checkedAt = this.now();
    if (stamp === state.stamp) return state.listing;
    if (stamp === undefined) {
      state.stamp = undefined;
      state.listing = undefined;
      return undefined;
    }
    // Callers that find the same new version share one read of it.
    if (state.loading?.stamp !== stamp) state.loading = { stamp, listing: this.load(source, file) };
    const { loading } = state;
    const listing = await loading.listing;
    if (state.loading === loading) {
      state.stamp = stamp;
      state.listing = listing;
      state.loading = undefined;
    }
    return listing;
  }

  /** What `source`'s agent directory says of `agentId`; `undefined` when there is none or it is not listed. */
  async agent(
    source: string,
    agentId: string,
    fresh = false,
  ): Promise<{ userId: string; primarySourceId: string; presenceSourceId: string } | undefined> {
    const listing = await this.listing(source, fresh);
    const agent = listing?.agents.get(agentId);
    return listing && agent ? { ...agent, presenceSourceId: listing.presenceSourceId } : undefined;
  }

  /** Size, modification time and inode: a rename into place changes the inode even within one mtime tick. */
  private async stampOf(file: string): Promise<string | undefined> {
    try {
      const { size, mtimeMs, ino } = await stat(file);
      return `${size}:${mtimeMs}:${ino}`;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  private async load(source: string, file: string): Promise<AgentDirectoryListing | undefined> {
    this.loads++;
    // A file that cannot be used is no directory: look-ups go to Genesys, which is always right.
    const problem = (message: string) => {
      this.options.onProblem?.(message, file);
      return undefined;
    };
    let json: unknown;
    try {
      json = JSON.parse(await readFile(file, 'utf8'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      return problem(`unreadable: ${error instanceof Error ? error.message : String(error)}`);
    }
    const parsed = agentDirectoryFileSchema.safeParse(json);
    if (!parsed.success) return problem(`invalid: ${z.prettifyError(parsed.error)}`);
    const directory = parsed.data;
    if (directory.source !== source) return problem(`holds ${directory.source}'s agents, not ${source}'s`);
    if (directory.genesys !== this.options.genesys) {
      return problem(`was synced against ${directory.genesys}, not ${this.options.genesys}`);
    }
    return {
      source: directory.source,
      presenceSourceId: directory.presenceSourceId,
      syncedAt: directory.syncedAt,
      agents: new Map(Object.entries(directory.agents)),
    };
  }
}
