/** Where a directory snapshot comes from (a JSON file or an HTTP URL), and reading it from there. */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import axios from 'axios';
import { z } from 'zod';
import { DirectorySnapshotError, parseDirectorySnapshot, type DirectorySnapshot } from './snapshot';

/** A snapshot's location: what a schedule or the CLI hands the directory sync (never the data itself). */
export const snapshotLocationSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('file'), path: z.string().min(1) }),
  z.object({ kind: z.literal('url'), url: z.url({ protocol: /^https?$/ }) }),
]);
/** A snapshot's location. */
export type SnapshotLocation = z.infer<typeof snapshotLocationSchema>;

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

/** A location as an operator writes it: an http(s) URL, or else a file path (made absolute). */
export function snapshotLocationFrom(text: string): SnapshotLocation {
  return /^https?:\/\//i.test(text)
    ? snapshotLocationSchema.parse({ kind: 'url', url: text })
    : { kind: 'file', path: resolve(text) };
}
