import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { codecKeysFrom, newKeyEntry } from '../config/codec-keys';
import { EncryptionCodec, PayloadDecryptionError } from '../config/payload-codec';
import { freshKeys } from './customer-fixtures';

const text = new TextDecoder();

const call = {
  kind: 'conversation',
  change: { type: 'started', ani: '+15551234567', aniName: 'Jane Customer', note: 'x'.repeat(1_200) },
};

describe('the payload codec', () => {
  const first = newKeyEntry();
  const second = newKeyEntry();
  const firstId = first.split(':')[0]!;
  const secondId = second.split(':')[0]!;

  it('seals a payload so that none of its text is left, and opens it back to the same value', async () => {
    const codec = new EncryptionCodec(freshKeys([first]));
    const plain = defaultPayloadConverter.toPayload(call);
    const [sealed] = await codec.encode([plain]);
    assert.equal(text.decode(sealed!.metadata!.encoding), 'binary/encrypted');
    assert.equal(text.decode(sealed!.metadata!['encryption-key-id']), firstId);
    const raw = Buffer.from(sealed!.data!).toString('latin1');
    for (const secret of ['+15551234567', '5551234567', 'Jane', 'json/plain'])
      assert.ok(!raw.includes(secret), secret);
    const [opened] = await codec.decode([sealed!]);
    assert.deepEqual(defaultPayloadConverter.fromPayload(opened!), call);
  });

  it('compresses a long payload before sealing it, and leaves a short one uncompressed', async () => {
    const codec = new EncryptionCodec(freshKeys([first]));
    const [long, short] = await codec.encode([
      defaultPayloadConverter.toPayload(call),
      defaultPayloadConverter.toPayload({ presence: 'Available' }),
    ]);
    assert.equal(text.decode(long!.metadata!.compression), 'deflate');
    assert.ok(long!.data!.length < defaultPayloadConverter.toPayload(call).data!.length / 2);
    assert.equal(short!.metadata!.compression, undefined);
    assert.deepEqual(defaultPayloadConverter.fromPayload((await codec.decode([short!]))[0]!), {
      presence: 'Available',
    });
  });

  it('seals with a fresh nonce each time, so the same value never gives the same ciphertext', async () => {
    const codec = new EncryptionCodec(freshKeys([first]));
    const plain = defaultPayloadConverter.toPayload(call);
    const [a, b] = await codec.encode([plain, plain]);
    assert.notDeepEqual(Buffer.from(a!.data!), Buffer.from(b!.data!));
  });

  it('after a rotation seals with the new key and still opens what the old key sealed', async () => {
    const before = new EncryptionCodec(freshKeys([first]));
    const after = new EncryptionCodec(freshKeys([second, first]));
    const [old] = await before.encode([defaultPayloadConverter.toPayload(call)]);
    const [fresh] = await after.encode([defaultPayloadConverter.toPayload(call)]);
    assert.equal(text.decode(fresh!.metadata!['encryption-key-id']), secondId);
    for (const sealed of [old!, fresh!]) {
      assert.deepEqual(defaultPayloadConverter.fromPayload((await after.decode([sealed]))[0]!), call);
    }
  });

  it('refuses, naming the key, a payload sealed with a key it does not hold, or when it holds none', async () => {
    const [sealed] = await new EncryptionCodec(freshKeys([first])).encode([
      defaultPayloadConverter.toPayload(call),
    ]);
    await assert.rejects(new EncryptionCodec(freshKeys([second])).decode([sealed!]), (error: unknown) => {
      assert.ok(error instanceof PayloadDecryptionError);
      assert.equal(error.keyId, firstId);
      assert.match(error.message, new RegExp(`sealed with key "${firstId}".*it holds ${secondId}`));
      return true;
    });
    await assert.rejects(
      new EncryptionCodec(undefined).decode([sealed!]),
      /no codec key: set BYOI_CODEC_KEYS/,
    );
  });

  it('refuses a payload altered after sealing, or relabelled with another key id or compression', async () => {
    const both = freshKeys([first, second]);
    const codec = new EncryptionCodec(both);
    const [sealed] = await codec.encode([defaultPayloadConverter.toPayload(call)]);
    const flipped = Buffer.from(sealed!.data!);
    flipped[20]! ^= 1;
    const altered: Payload[] = [
      { ...sealed!, data: flipped },
      {
        ...sealed!,
        metadata: { ...sealed!.metadata, 'encryption-key-id': new TextEncoder().encode(secondId) },
      },
      { ...sealed!, metadata: { ...sealed!.metadata, compression: new TextEncoder().encode('') } },
    ];
    for (const payload of altered) await assert.rejects(codec.decode([payload]), /does not open with it/);
  });

  it('without keys writes payloads as they are and passes plain ones through', async () => {
    const plain = defaultPayloadConverter.toPayload(call);
    const codec = new EncryptionCodec(undefined);
    assert.deepEqual(await codec.encode([plain]), [plain]);
    assert.deepEqual(await new EncryptionCodec(freshKeys([first])).decode([plain]), [plain]);
  });
});

describe('codec keys', () => {
  const entry = newKeyEntry();

  it('reads a key file, the first entry sealing, comments and blank lines skipped', () => {
    const other = newKeyEntry();
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'byoi-keys-')), 'codec.keys');
    writeFileSync(file, `# rotated 2026-12-04\n${other}\n\n${entry}\n`);
    const problems: string[] = [];
    const parsed = codecKeysFrom({ keys: undefined, keyFile: file }, problems);
    assert.deepEqual(problems, []);
    assert.equal(parsed?.sealingKeyId, other.split(':')[0]);
    assert.deepEqual(
      [...parsed!.keys.keys()],
      [other, entry].map((line) => line.split(':')[0]),
    );
  });

  it('names each bad entry without echoing a key', () => {
    const shortKey = Buffer.alloc(16, 7).toString('base64');
    const problems: string[] = [];
    const parsed = codecKeysFrom(
      { keys: `k1:${shortKey},no-colon,${entry},${entry}`, keyFile: undefined },
      problems,
    );
    assert.equal(parsed, undefined);
    assert.deepEqual(problems, [
      'BYOI_CODEC_KEYS: entry 1 (k1): the key must be 32 bytes in base64, e.g. from openssl rand -base64 32',
      "BYOI_CODEC_KEYS: entry 2: must be id:key, the id of letters, digits, '.', '_' or '-' (at most 64)",
      `BYOI_CODEC_KEYS: entry 4 (${entry.split(':')[0]}): the id is listed twice`,
    ]);
    assert.ok(!problems.join('\n').includes(shortKey) && !problems.join('\n').includes(entry.split(':')[1]!));
  });

  it('refuses both a key list and a key file, and a key file that cannot be read', () => {
    const problems: string[] = [];
    codecKeysFrom({ keys: entry, keyFile: '/nowhere/codec.keys' }, problems);
    codecKeysFrom({ keys: undefined, keyFile: '/nowhere/codec.keys' }, problems);
    assert.deepEqual(problems, [
      'BYOI_CODEC_KEYS and BYOI_CODEC_KEY_FILE: set one, not both',
      'BYOI_CODEC_KEY_FILE (/nowhere/codec.keys): cannot be read (ENOENT)',
    ]);
  });
});
