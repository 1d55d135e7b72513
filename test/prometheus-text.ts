/**
 * Reads Prometheus's text exposition format, as the bridge's processes serve it on `/metrics`: enough to
 * sum a metric's samples over the labels a test names.
 */
import axios from 'axios';

/** One sample: a series name (with `_bucket`, `_sum`, `_count`, `_total` as exposed), its labels, its value. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a page. */
export function parseSamples(page: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of page.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)/.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[key!] = value!.replace(/\\(.)/g, (_, escaped: string) => (escaped === 'n' ? '\n' : escaped));
    }
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

/** A scrape of one endpoint. */
export class Scrape {
  readonly samples: Sample[];

  constructor(readonly page: string) {
    this.samples = parseSamples(page);
  }

  /** Every series name on the page. */
  names(): Set<string> {
    return new Set(this.samples.map((sample) => sample.name));
  }

  /** The sum of `name`'s samples whose labels include `labels` (0 when there are none). */
  value(name: string, labels: Record<string, string> = {}): number {
    return this.samples
      .filter(
        (sample) =>
          sample.name === name &&
          Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
      )
      .reduce((sum, sample) => sum + sample.value, 0);
  }
}

/** Scrapes `url`. */
export async function scrape(url: string): Promise<Scrape> {
  const response = await axios.get<string>(url, { responseType: 'text', timeout: 5_000 });
  return new Scrape(response.data);
}
