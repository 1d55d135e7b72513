/** Reading a directory snapshot from where it lives (a JSON file or an HTTP URL). */
import { readFile } from 'node:fs/promises';
import axios from 'axios';
import {
  DirectorySnapshotError,
  parseDirectorySnapshot,
  type DirectorySnapshot,
} from '../../domain/directory/snapshot';
import type { SnapshotLocation } from '../../domain/directory/location';

/** The largest snapshot read (a 4,000-agent directory is about 2 MB). */
const maxSnapshotBytes = 64 * 1024 * 1024;

/** Reads and validates a snapshot; a bad one fails with every problem named. */
export async function loadDirectorySnapshot(location: SnapshotLocation): Promise<DirectorySnapshot> {
  const text =
    location.kind === 'file'
      ? await readFile(location.path, 'utf8')
      : (
          await axios.get<string>(location.url, {
            responseType: 'text',
            timeout: 60_000,
            maxContentLength: maxSnapshotBytes,
            transformResponse: (body: string) => body,
          })
        ).data;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const where = location.kind === 'file' ? location.path : location.url;
    // A snapshot that is not JSON stays broken on retry, like one that breaks the model.
    throw new DirectorySnapshotError(
      [`${where}: not JSON (${error instanceof Error ? error.message : String(error)})`],
      {
        cause: error,
      },
    );
  }
  return parseDirectorySnapshot(json);
}
