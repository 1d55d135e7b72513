/**
 * How Twilio signs the webhooks it calls (https://www.twilio.com/docs/usage/webhooks/webhooks-security):
 * `X-Twilio-Signature` is the base64 HMAC-SHA1, keyed with the account's auth token, of the URL Twilio
 * called followed by the form's parameters sorted by name, each name then its value. Every Twilio
 * adapter (TaskRouter events, recording status callbacks) checks it the same way.
 */
import { createHmac } from 'node:crypto';
import { sameSecret } from '../same-secret';
import type { Webhook } from './adapter';

/** What the adapter reads of a source's credentials. */
export interface TwilioCredentials {
  /** Twilio auth tokens whose `X-Twilio-Signature` the TaskRouter route accepts for this source. */
  twilioAuthTokens?: string[];
}

/** `X-Twilio-Signature` of a callback: HMAC-SHA1 with the auth token over the URL and the sorted parameters. */
export function twilioSignature(authToken: string, url: string, params: Record<string, string>): string {
  const data = Object.keys(params)
    .sort()
    .reduce((joined, name) => joined + name + params[name], url);
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

/**
 * Why a Twilio webhook is refused, or undefined when it carries the signature of one of the source's
 * auth tokens (several during a token rotation).
 */
export function authenticateTwilioWebhook(
  { source, url, params, header }: Webhook,
  credentials: TwilioCredentials | undefined,
): string | undefined {
  const signature = header('x-twilio-signature');
  const tokens = credentials?.twilioAuthTokens ?? [];
  if (signature === undefined || tokens.length === 0) {
    return `form callbacks for ${source} must carry X-Twilio-Signature from a configured Twilio auth token`;
  }
  return tokens.some((token) => sameSecret(twilioSignature(token, url, params), signature))
    ? undefined
    : 'X-Twilio-Signature does not match the callback';
}
