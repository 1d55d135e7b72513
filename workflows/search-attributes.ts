/**
 * The custom search attributes that make every bridge workflow findable in the Temporal Web UI and
 * by `temporal workflow list --query`. All are Keyword: the dev server's SQLite store allows at most
 * 10 Keyword attributes per namespace, and these are exact-match fields.
 */
import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributePair } from '@temporalio/common';

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

/** Every custom search attribute the bridge registers on its namespace. */
export const byoiSearchAttributes = [
  byoiKind,
  byoiStatus,
  byoiSource,
  byoiExternalId,
  byoiGenesysId,
  byoiChannel,
] as const;

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
