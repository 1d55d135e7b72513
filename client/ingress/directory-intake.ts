/**
 * Directory snapshots pushed to the ingress, kept as files the workers read (`<dir>/<source>.json`,
 * written whole then renamed into place, so a sync never reads half a file) and synced at once. On a
 * cluster, `dir` is storage the workers share.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { startDirectorySync } from '../library/directory-sync';
import type { DirectoryIntake } from './directory-routes';

/** Stores pushed snapshots under `dir` and starts their sync on `taskQueue`. */
export function fileDirectoryIntake(dir: string, client: Client, taskQueue: string): DirectoryIntake {
  return {
    async store(snapshot) {
      await mkdir(dir, { recursive: true });
      const file = path.resolve(dir, `${snapshot.source}.json`);
      const part = `${file}.${process.pid}.part`;
      await writeFile(part, JSON.stringify(snapshot));
      await rename(part, file);
      return { kind: 'file', path: file };
    },
    sync: (source, location) => startDirectorySync(client, { source, snapshot: location, taskQueue }),
  };
}
