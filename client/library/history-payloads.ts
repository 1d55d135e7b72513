/**
 * What a workflow history's payloads look like to anyone who reads the history without the keys (the
 * server's store, an export, `temporal workflow show`): how many are sealed, by which key, and how many
 * are plain.
 */
import type { Payload } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { encryptedEncoding, encryptionMetadata } from '../../config/payload-codec';

/** A history's payloads: counts of sealed ones by key id, and of plain ones. */
export interface HistoryPayloads {
  sealedByKey: Record<string, number>;
  plain: number;
}

const text = new TextDecoder();

/**
 * Counts the payloads of `history`, wherever they sit (inputs, results, failures, summaries, markers),
 * except what is plain by design and holds no customer data: search attributes (the server indexes them)
 * and a local activity marker's `data` (the SDK's own bookkeeping: the activity's type, attempt and times).
 */
export function historyPayloads(history: temporal.api.history.v1.IHistory): HistoryPayloads {
  const counted: HistoryPayloads = { sealedByKey: {}, plain: 0 };
  const visit = (value: unknown, parent: string): void => {
    if (typeof value !== 'object' || value === null || value instanceof Uint8Array) return;
    const { metadata } = value as Payload;
    if (metadata?.encoding instanceof Uint8Array) {
      const keyId = metadata[encryptionMetadata.keyId];
      if (text.decode(metadata.encoding) === encryptedEncoding && keyId) {
        const id = text.decode(keyId);
        counted.sealedByKey[id] = (counted.sealedByKey[id] ?? 0) + 1;
      } else counted.plain++;
      return;
    }
    for (const [key, inner] of Object.entries(value)) {
      const bookkeeping = key === 'searchAttributes' || (key === 'data' && parent === 'markerDetails');
      if (!bookkeeping)
        visit(inner, parent === 'markerRecordedEventAttributes' && key === 'details' ? 'markerDetails' : key);
    }
  };
  visit(history, '');
  return counted;
}
