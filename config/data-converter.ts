/**
 * The one data converter of every bridge process (worker, ingress, CLI, demo, tools): the payload codec
 * with the process's keys and, when they seal, failures whose messages and stack traces are sealed too.
 * The codec is installed even without keys, so a process that lacks them says which key a sealed payload
 * needs instead of handing ciphertext on.
 */
import type { DataConverter } from '@temporalio/common';
import { EncryptionCodec, type CodecKeys, type PayloadDecryptionError } from './payload-codec';

/**
 * The data converter for a process holding `keys` (none: payloads are written in plain JSON); `onRefusal`
 * hears of each payload that does not open (for the process's log).
 */
export function bridgeDataConverter(
  keys: CodecKeys | undefined,
  onRefusal?: (error: PayloadDecryptionError) => void,
): DataConverter {
  return {
    payloadCodecs: [new EncryptionCodec(keys, onRefusal)],
    ...(keys ? { failureConverterPath: sealedFailureConverterPath } : {}),
  };
}

/** The module a workflow bundle of sealing workers must be built with (`bundleWorkflowCode`'s `failureConverterPath`). */
export const sealedFailureConverterPath = require.resolve('./failure-converter');

/**
 * What a process's startup line says of its codec: which key seals and which others open, never a key;
 * and, without keys, that customer data reaches Temporal in plain JSON.
 */
export function codecSummary(keys: CodecKeys | undefined) {
  return keys
    ? { sealingKey: keys.sealingKeyId, keys: [...keys.keys.keys()] }
    : 'off: payloads, customer data included, reach Temporal in plain JSON (set BYOI_CODEC_KEYS or BYOI_CODEC_KEY_FILE: docs/security.md)';
}
