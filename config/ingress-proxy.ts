/**
 * How the ingress learns the URL a vendor called when a proxy stands in front of it: a public base URL
 * (BYOI_INGRESS_PUBLIC_URL), or the forwarded protocol and host of the proxies it trusts
 * (BYOI_INGRESS_TRUST_PROXY, Fastify's `trustProxy`).
 */
import { isIP } from 'node:net';
import { z } from 'zod';

/** The ingress's base URL as vendors call it: http(s), no query, no fragment; a path prefix is kept. */
export const publicUrlSchema = z
  .url({ protocol: /^https?$/, error: 'must be an http(s) URL, e.g. https://bridge.example.com' })
  .refine((url) => !/[?#]/.test(url), 'must have no query or fragment: only the base the paths follow')
  .transform((url) => url.replace(/\/+$/, ''));

/** proxy-addr's names for address ranges, which Fastify's `trustProxy` list takes beside addresses. */
const namedRanges = ['loopback', 'linklocal', 'uniquelocal'];

/** An address, a CIDR range or a named range a proxy may be at. */
function isProxyAddress(entry: string): boolean {
  if (namedRanges.includes(entry)) return true;
  const [address, prefix, ...rest] = entry.split('/');
  const version = isIP(address ?? '');
  if (version === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128);
}

/**
 * Which proxies' `X-Forwarded-*` headers the ingress believes: `false` (none), `true` (any: only when
 * nothing but the proxy can reach the ingress), a hop count, or their addresses, CIDRs and named ranges.
 */
export const trustProxySchema = z.string().transform((value, context): boolean | number | string[] => {
  if (value === 'false') return false;
  if (value === 'true') return true;
  if (/^\d+$/.test(value)) {
    if (Number(value) >= 1) return Number(value);
    context.addIssue({ code: 'custom', message: 'a hop count must be at least 1 (trust none with false)' });
    return z.NEVER;
  }
  const entries = value.split(',').map((entry) => entry.trim());
  const wrong = entries.filter((entry) => !isProxyAddress(entry));
  if (wrong.length === 0) return entries;
  context.addIssue({
    code: 'custom',
    message:
      `${wrong.map((entry) => JSON.stringify(entry)).join(', ')} is not an address, a CIDR range or one of ` +
      `${namedRanges.join(', ')}: use false, true, a hop count, or e.g. 127.0.0.1,10.0.0.0/8`,
  });
  return z.NEVER;
});
