/** Where a directory snapshot comes from: a JSON file or an HTTP URL. */
import { resolve } from 'node:path';
import { z } from 'zod';

/** A snapshot's location: what a schedule or the CLI hands the directory sync (never the data itself). */
export const snapshotLocationSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('file'), path: z.string().min(1) }),
  z.object({ kind: z.literal('url'), url: z.url({ protocol: /^https?$/ }) }),
]);
/** A snapshot's location. */
export type SnapshotLocation = z.infer<typeof snapshotLocationSchema>;

/** A location as an operator writes it: an http(s) URL, or else a file path (made absolute). */
export function snapshotLocationFrom(text: string): SnapshotLocation {
  return /^https?:\/\//i.test(text)
    ? snapshotLocationSchema.parse({ kind: 'url', url: text })
    : { kind: 'file', path: resolve(text) };
}
