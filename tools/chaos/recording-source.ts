/**
 * A recording source that misbehaves: a local HTTP server serving every call's recording (the same
 * file), failing a share of fetches with 503 and stalling another share mid-body (half the bytes, then
 * nothing until the stall ends and the connection is cut), drawn from a seed.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { seededRandom } from '../../simulator/random';

/** How the source misbehaves. */
export interface RecordingSourceFaults {
  /** Share of fetches answered 503. */
  failRate: number;
  /** Share of fetches stalled mid-body. */
  stallRate: number;
  /** How long a stalled fetch hangs before its connection is cut. */
  stallMs: number;
  seed: number;
}

/** The running source. */
export interface RecordingSource {
  /** The URL of one interaction's recording. */
  urlOf: (interactionId: string) => string;
  /** MD5 of the served file, base64 (as Content-MD5 writes it). */
  md5: string;
  counts: { served: number; failed: number; stalled: number };
  close(): Promise<void>;
}

/** Serves `file` under `/recordings/<interaction>.wav` on a free loopback port. */
export async function startRecordingSource(
  file: Buffer,
  faults: RecordingSourceFaults,
): Promise<RecordingSource> {
  const random = seededRandom(faults.seed);
  const counts = { served: 0, failed: 0, stalled: 0 };
  const stalls = new Set<NodeJS.Timeout>();
  const server = http.createServer((request, response) => {
    if (request.method !== 'GET' || !request.url?.startsWith('/recordings/')) {
      response.writeHead(404).end();
      return;
    }
    const draw = random();
    if (draw < faults.failRate) {
      counts.failed++;
      response.writeHead(503, { 'retry-after': '1' }).end('busy');
      return;
    }
    response.writeHead(200, { 'content-type': 'audio/wav', 'content-length': String(file.length) });
    if (draw < faults.failRate + faults.stallRate) {
      counts.stalled++;
      response.write(file.subarray(0, Math.floor(file.length / 2)));
      const stall = setTimeout(() => {
        stalls.delete(stall);
        response.destroy();
      }, faults.stallMs);
      stalls.add(stall);
      return;
    }
    counts.served++;
    response.end(file);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    urlOf: (interactionId) => `${url}/recordings/${encodeURIComponent(interactionId)}.wav`,
    md5: createHash('md5').update(file).digest('base64'),
    counts,
    close: async () => {
      for (const stall of stalls) clearTimeout(stall);
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
