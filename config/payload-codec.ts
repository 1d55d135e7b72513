/**
 * The payload codec: every payload the bridge hands Temporal (event signals, workflow inputs and results,
 * activity arguments, queries, summaries, failure messages) is compressed when that pays, then sealed
 * with AES-256-GCM. The server, its database and every history export hold ciphertext; a worker, a client
 * or the codec server holding the key opens it.
 *
 * Each payload names the key that sealed it, so keys rotate without breaking running workflows: a new key
 * seals from then on, old keys still open what they sealed.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

/**
 * The `encoding` of a sealed payload: AES-256-GCM, a 12-byte nonce before the ciphertext and the 16-byte
 * tag after it. A payload sealed otherwise would need an encoding of its own.
 */
export const encryptedEncoding = 'binary/encrypted';

/** Metadata keys of a sealed payload. */
export const encryptionMetadata = {
  keyId: 'encryption-key-id',
  compression: 'compression',
} as const;

const cipher = 'AES-256-GCM';
const ivBytes = 12;
const tagBytes = 16;
/**
 * Payloads shorter than this are sealed as they are. Most of the bridge's payloads are a few hundred bytes
 * of JSON: deflate saved them a handful of bytes and tripled the cost of sealing (30 µs instead of 10).
 * A continue-as-new's state or a batch of events, kilobytes, shrinks ten times and more, at its fastest
 * level for twice the cost.
 */
const compressAtBytes = 1_024;

/** The keys a process holds: the one that seals, and every one it may open with (the sealing one too). */
export interface CodecKeys {
  /** Seals every new payload. */
  sealingKeyId: string;
  /** Key id → 32-byte AES key. */
  keys: ReadonlyMap<string, Buffer>;
}

/** Thrown when a sealed payload cannot be opened: an unknown key, or a payload altered since it was sealed. */
export class PayloadDecryptionError extends Error {
  constructor(
    message: string,
    /** The key id the payload names. */
    readonly keyId: string,
  ) {
    super(message);
    this.name = 'PayloadDecryptionError';
  }
}

const text = new TextEncoder();
const fromText = new TextDecoder();

/**
 * Seals and opens payloads with {@link CodecKeys}. Without keys it seals nothing, yet still refuses,
 * by key id, to hand on a sealed payload it cannot open: a process that lost its keys fails loudly rather
 * than feeding ciphertext to the workflows.
 */
export class EncryptionCodec implements PayloadCodec {
  private readonly sealing: { id: string; idBytes: Uint8Array; key: Buffer; aad: Buffer } | undefined;

  constructor(
    private readonly codecKeys: CodecKeys | undefined,
    /**
     * Told of every payload that does not open, before the refusal: a worker's failed workflow task carries
     * its message sealed, so the worker's log is where an operator reads which key is missing.
     */
    private readonly onRefusal?: (error: PayloadDecryptionError) => void,
  ) {
    if (codecKeys) {
      const key = codecKeys.keys.get(codecKeys.sealingKeyId);
      if (!key) throw new Error(`the sealing key ${codecKeys.sealingKeyId} is not among the keys`);
      this.sealing = {
        id: codecKeys.sealingKeyId,
        idBytes: text.encode(codecKeys.sealingKeyId),
        key,
        aad: additionalData(codecKeys.sealingKeyId, ''),
      };
    }
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- a failure must reject, not throw
  async encode(payloads: Payload[]): Promise<Payload[]> {
    return this.sealing ? payloads.map((payload) => this.seal(payload)) : payloads;
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- a failure must reject, not throw
  async decode(payloads: Payload[]): Promise<Payload[]> {
    try {
      return payloads.map((payload) => this.open(payload));
    } catch (error) {
      if (error instanceof PayloadDecryptionError) this.onRefusal?.(error);
      throw error;
    }
  }

  private seal(payload: Payload): Payload {
    const sealing = this.sealing!;
    const plain = temporal.api.common.v1.Payload.encode(payload).finish();
    const compressed = plain.length >= compressAtBytes ? deflateRawSync(plain, { level: 1 }) : undefined;
    const useCompressed = compressed !== undefined && compressed.length < plain.length;
    const iv = randomBytes(ivBytes);
    const encrypt = createCipheriv('aes-256-gcm', sealing.key, iv);
    encrypt.setAAD(useCompressed ? additionalData(sealing.id, 'deflate') : sealing.aad);
    const sealed = Buffer.concat([
      iv,
      encrypt.update(useCompressed ? compressed : plain),
      encrypt.final(),
      encrypt.getAuthTag(),
    ]);
    return {
      metadata: {
        [METADATA_ENCODING_KEY]: encryptedEncodingBytes,
        [encryptionMetadata.keyId]: sealing.idBytes,
        ...(useCompressed ? { [encryptionMetadata.compression]: deflateBytes } : {}),
      },
      data: sealed,
    };
  }

  private open(payload: Payload): Payload {
    const metadata = payload.metadata ?? {};
    const encoding = metadata[METADATA_ENCODING_KEY];
    if (!encoding || fromText.decode(encoding) !== encryptedEncoding) return payload;
    const keyIdBytes = metadata[encryptionMetadata.keyId];
    const keyId = keyIdBytes ? fromText.decode(keyIdBytes) : '';
    const key = this.codecKeys?.keys.get(keyId);
    if (!key) {
      const held = this.codecKeys ? [...this.codecKeys.keys.keys()].join(', ') : '';
      throw new PayloadDecryptionError(
        held
          ? `payload sealed with key ${JSON.stringify(keyId)}, which this process does not hold (it holds ${held}): add that key to BYOI_CODEC_KEYS or BYOI_CODEC_KEY_FILE`
          : `payload sealed with key ${JSON.stringify(keyId)}, and this process has no codec key: set BYOI_CODEC_KEYS or BYOI_CODEC_KEY_FILE`,
        keyId,
      );
    }
    const compressionBytes = metadata[encryptionMetadata.compression];
    const compression = compressionBytes ? fromText.decode(compressionBytes) : '';
    if (compression !== '' && compression !== 'deflate') {
      throw new PayloadDecryptionError(
        `payload sealed with key ${JSON.stringify(keyId)} names an unknown compression ${JSON.stringify(compression)}`,
        keyId,
      );
    }
    const data = payload.data ?? new Uint8Array();
    if (data.length < ivBytes + tagBytes) {
      throw new PayloadDecryptionError(
        `payload sealed with key ${JSON.stringify(keyId)} is too short to be one`,
        keyId,
      );
    }
    const sealed = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    let opened: Buffer;
    try {
      const decrypt = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, ivBytes));
      decrypt.setAAD(additionalData(keyId, compression));
      decrypt.setAuthTag(sealed.subarray(sealed.length - tagBytes));
      opened = Buffer.concat([
        decrypt.update(sealed.subarray(ivBytes, sealed.length - tagBytes)),
        decrypt.final(),
      ]);
    } catch {
      throw new PayloadDecryptionError(
        `payload sealed with key ${JSON.stringify(keyId)} does not open with it: the key differs from the one that sealed it, or the payload was altered`,
        keyId,
      );
    }
    return temporal.api.common.v1.Payload.decode(compression === 'deflate' ? inflateRawSync(opened) : opened);
  }
}

const encryptedEncodingBytes = text.encode(encryptedEncoding);
const deflateBytes = text.encode('deflate');

// Every sealed payload carries its metadata in bytes stored with every history event: no more than it needs.
// The key id and the compression are bound into the tag: swapping either in the metadata fails the open.
function additionalData(keyId: string, compression: string): Buffer {
  return Buffer.from(`${cipher}\n${keyId}\n${compression}`);
}
