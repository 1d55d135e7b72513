/**
 * The payload codec's keys, from `BYOI_CODEC_KEYS` or the file `BYOI_CODEC_KEY_FILE` names: `id:key`
 * entries, the key 32 bytes in base64 (`openssl rand -base64 32`). The first entry seals new payloads;
 * the others only open what they sealed before a rotation. config/index.ts reads the variables; this
 * module parses their values and never echoes a key in a problem.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { CodecKeys } from './payload-codec';

const keyIdPattern = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * The keys of `BYOI_CODEC_KEYS` (entries separated by commas) or of a key file (one entry a line, `#`
 * comments and blank lines allowed); problems are pushed, named by variable and entry, without the key.
 */
export function codecKeysFrom(
  settings: { keys: string | undefined; keyFile: string | undefined },
  problems: string[],
): CodecKeys | undefined {
  if (settings.keys !== undefined && settings.keyFile !== undefined) {
    problems.push('BYOI_CODEC_KEYS and BYOI_CODEC_KEY_FILE: set one, not both');
    return undefined;
  }
  let variable: string;
  let entries: string[];
  if (settings.keys !== undefined) {
    variable = 'BYOI_CODEC_KEYS';
    entries = settings.keys.split(',');
  } else if (settings.keyFile !== undefined) {
    variable = `BYOI_CODEC_KEY_FILE (${settings.keyFile})`;
    try {
      entries = readFileSync(settings.keyFile, 'utf8')
        .split(/\r?\n/)
        .map((line) => line.trim())
        .filter((line) => line !== '' && !line.startsWith('#'));
    } catch (error) {
      problems.push(`${variable}: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
      return undefined;
    }
  } else return undefined;
  const keys = new Map<string, Buffer>();
  const before = problems.length;
  entries.forEach((entry, index) => {
    const at = entry.indexOf(':');
    const id = at < 0 ? '' : entry.slice(0, at).trim();
    const where = `${variable}: entry ${index + 1}`;
    if (!keyIdPattern.test(id)) {
      problems.push(`${where}: must be id:key, the id of letters, digits, '.', '_' or '-' (at most 64)`);
      return;
    }
    const encoded = entry.slice(at + 1).trim();
    const key = Buffer.from(encoded, 'base64');
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || key.length !== 32) {
      problems.push(
        `${where} (${id}): the key must be 32 bytes in base64, e.g. from openssl rand -base64 32`,
      );
      return;
    }
    if (keys.has(id)) problems.push(`${where} (${id}): the id is listed twice`);
    keys.set(id, key);
  });
  if (entries.length === 0) problems.push(`${variable}: holds no key`);
  if (problems.length > before || entries.length === 0) return undefined;
  return { sealingKeyId: [...keys.keys()][0]!, keys };
}

/** A fresh key entry, `id:base64`, for a key file or `BYOI_CODEC_KEYS`; its id names the day it was made. */
export function newKeyEntry(now = new Date()): string {
  const day = now.toISOString().slice(0, 10).replaceAll('-', '');
  return `k${day}-${randomBytes(3).toString('hex')}:${randomBytes(32).toString('base64')}`;
}
