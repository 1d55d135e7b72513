/**
 * The custom search attributes that make every bridge workflow findable in the Temporal Web UI and
 * by `temporal workflow list --query`, and that the UI's workflow list can show as columns. All but the
 * reason are Keyword, exact-match fields: the dev server's SQLite store allows at most 10 Keyword and 3
 * Text attributes per namespace.
 */
import {
  defineSearchAttributeKey,
  SearchAttributeType,
  type SearchAttributePair,
  type SearchAttributeUpdatePair,
} from '@temporalio/common';

/** `agent`, `conversation` or `directory`. */
export const byoiKind = defineSearchAttributeKey('ByoiKind', SearchAttributeType.KEYWORD);
/** The workflow's operator-facing status, e.g. `Running`, `WaitingForMapping`, `Blocked`. */
export const byoiStatus = defineSearchAttributeKey('ByoiStatus', SearchAttributeType.KEYWORD);
/** The name of the external platform the events come from. */
export const byoiSource = defineSearchAttributeKey('ByoiSource', SearchAttributeType.KEYWORD);
/** The external agent or interaction id. */
export const byoiExternalId = defineSearchAttributeKey('ByoiExternalId', SearchAttributeType.KEYWORD);
/** The Genesys user id or conversation id, once known. */
export const byoiGenesysId = defineSearchAttributeKey('ByoiGenesysId', SearchAttributeType.KEYWORD);
/** `voice` or `email` for conversations. */
export const byoiChannel = defineSearchAttributeKey('ByoiChannel', SearchAttributeType.KEYWORD);
/** A conversation's latest queue and agent (external ids), written along with its status. */
export const byoiQueue = defineSearchAttributeKey('ByoiQueue', SearchAttributeType.KEYWORD);
export const byoiAgent = defineSearchAttributeKey('ByoiAgent', SearchAttributeType.KEYWORD);
/**
 * Why the workflow is not simply `Running` (the status's message, cut to {@link reasonLength}
 * characters); empty while it runs. Written with `ByoiStatus`, so it costs no history event of its own.
 */
export const byoiReason = defineSearchAttributeKey('ByoiReason', SearchAttributeType.TEXT);

/** Every custom search attribute the bridge registers on its namespace. */
export const byoiSearchAttributes = [
  byoiKind,
  byoiStatus,
  byoiSource,
  byoiExternalId,
  byoiGenesysId,
  byoiChannel,
  byoiQueue,
  byoiAgent,
  byoiReason,
] as const;

/** The name `temporal server start-dev --search-attribute <name>=<type>` takes for a key's type. */
export const searchAttributeTypeName = (key: (typeof byoiSearchAttributes)[number]): 'Keyword' | 'Text' =>
  key.type === SearchAttributeType.TEXT ? 'Text' : 'Keyword';

/** How much of a status's message the `ByoiReason` attribute keeps. */
export const reasonLength = 200;

/**
 * The `ByoiReason` value for a status and its message: the message, cut to fit, unless the workflow
 * simply runs.
 */
export function reasonAttribute(status: string, message: string | undefined): string {
  if (status === 'Running' || message === undefined) return '';
  return message.length <= reasonLength ? message : `${message.slice(0, reasonLength - 1)}…`;
}

/**
 * The search attributes an agent or conversation workflow starts with. The ingress sets them when its
 * signal-with-start starts the workflow, so the workflow upserts them only when started otherwise: one
 * history event and one visibility write less per workflow.
 */
export function startingSearchAttributes(
  kind: 'agent' | 'conversation',
  source: string,
  externalId: string,
  channel?: string,
  genesysId?: string,
): SearchAttributePair[] {
  return [
    { key: byoiKind, value: kind },
    { key: byoiSource, value: source },
    { key: byoiExternalId, value: externalId },
    { key: byoiStatus, value: 'Running' },
    ...(channel === undefined ? [] : [{ key: byoiChannel, value: channel }]),
    ...(genesysId === undefined ? [] : [{ key: byoiGenesysId, value: genesysId }]),
  ];
}

/** The `ByoiQueue` and `ByoiAgent` of a conversation: its latest queue and agent legs, once it has them. */
export function routingAttributes(
  lifecycle: { legs: readonly { queueId?: string; agentId?: string }[] } | undefined,
): SearchAttributeUpdatePair[] {
  let queueId: string | undefined;
  let agentId: string | undefined;
  for (const leg of lifecycle?.legs ?? []) {
    queueId = leg.queueId ?? queueId;
    agentId = leg.agentId ?? agentId;
  }
  return [
    ...(queueId === undefined ? [] : [{ key: byoiQueue, value: queueId }]),
    ...(agentId === undefined ? [] : [{ key: byoiAgent, value: agentId }]),
  ];
}
