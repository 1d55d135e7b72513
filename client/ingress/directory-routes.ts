/**
 * `PUT /v1/directory/snapshot`: a source pushes its whole directory (users, queues, skills, wrap-up
 * codes); it is refused whole when any part is wrong, else stored and its sync started.
 */
import type { FastifyInstance } from 'fastify';
import type { SnapshotLocation } from '../../domain/directory/location';
import {
  DirectorySnapshotError,
  parseDirectorySnapshot,
  type DirectorySnapshot,
} from '../../domain/directory/snapshot';
import { batchOf } from './batches';
import { errorBody, HttpError, jsonBody } from './http';
import type { Authenticate } from './sender-authentication';

/** What the ingress does with a directory snapshot a source pushes. */
export interface DirectoryIntake {
  /** Keeps the snapshot where the workers read it from. */
  store(snapshot: DirectorySnapshot): Promise<SnapshotLocation>;
  /** Starts (or triggers) the sync of the stored snapshot; answers what it did. */
  sync(source: string, location: SnapshotLocation): Promise<string>;
}

/** Registers `PUT /v1/directory/snapshot`. */
export function registerDirectoryRoute(
  app: FastifyInstance,
  settings: { intake: DirectoryIntake; authenticate: Authenticate; maxSnapshotBytes: number },
): void {
  const { intake, authenticate } = settings;
  // A whole contact centre's directory is larger than any event batch.
  app.put('/v1/directory/snapshot', { bodyLimit: settings.maxSnapshotBytes }, async (request, reply) => {
    const body = jsonBody(request);
    const source = authenticate(request, body);
    const [input] = batchOf(body, 1);
    const named = (input as { source?: unknown }).source;
    if (named !== undefined && named !== source) {
      throw new HttpError(
        403,
        'wrongSource',
        `source: the snapshot is ${JSON.stringify(named)}'s, but the sender is ${source}`,
      );
    }
    let snapshot: DirectorySnapshot;
    try {
      snapshot = parseDirectorySnapshot({ ...(input as object), source });
    } catch (error) {
      if (!(error instanceof DirectorySnapshotError)) throw error;
      return reply.status(400).send({
        ...errorBody(
          'invalidSnapshot',
          `the snapshot is refused whole: ${error.problems.length} problems, the first: ${error.problems[0]}`,
        ),
        problems: error.problems,
      });
    }
    const location = await intake.store(snapshot);
    const sync = await intake.sync(source, location);
    return reply.status(202).send({
      source,
      users: snapshot.users.length,
      queues: snapshot.queues.length,
      skills: snapshot.skills.length,
      wrapupCodes: snapshot.wrapupCodes.length,
      sync,
    });
  });
}
