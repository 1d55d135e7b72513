/** Field types and enums shared by every Genesys wire model. */
import { z } from 'zod';

const uuidV4Pattern = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
const isoDateTimePattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** A UUID v4: the form Genesys requires for every id the caller mints. */
export const uuidV4 = z
  .string()
  .regex(uuidV4Pattern, 'must be a UUID v4 (xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx)');

/** An ISO-8601 UTC timestamp with milliseconds, e.g. 2026-11-25T07:00:00.000Z. */
export const isoDateTime = z
  .string()
  .regex(isoDateTimePattern, 'must be an ISO-8601 UTC timestamp with milliseconds (2026-11-25T07:00:00.000Z)')
  .refine((value) => !Number.isNaN(Date.parse(value)), 'must be a real date and time');

/** Routing statuses of `UserRoutingStatusEvent` (PascalCase on the events endpoint). */
export const routingStatuses = ['OffQueue', 'Idle', 'Interacting', 'Communicating', 'NotResponding'] as const;
/** Genesys system presences; each org has a presence definition id for each. */
export const systemPresences = [
  'Available',
  'Away',
  'Busy',
  'Offline',
  'Idle',
  'OnQueue',
  'Meal',
  'Training',
  'Meeting',
  'Break',
] as const;
/** Why a voice communication ended. */
export const voiceDisconnectTypes = [
  'Error',
  'Peer',
  'Self',
  'System',
  'Transfer',
  'TransferACD',
  'TransferConference',
  'TransferConsult',
  'TransferUser',
] as const;
/** Why an email communication ended. */
export const emailDisconnectTypes = [
  'Unknown',
  'Self',
  'Peer',
  'System',
  'Error',
  'Spam',
  'Transfer',
  'TransferACD',
  'TransferUser',
] as const;
/** Blind transfer kinds. */
export const transferTypes = ['Attended', 'Unattended'] as const;
/** How a transfer command ended. */
export const transferFinalStates = ['Completed', 'Canceled', 'Failed'] as const;
/** Upload statuses of recordings. */
export const uploadStatuses = ['Pending', 'Success', 'Failure', 'WaitForConversation'] as const;
/** States of an upload-status report. */
export const reportStates = ['InProgress', 'Completed', 'Failed'] as const;
/** Recording formats Genesys accepts. */
export const recordingContentTypes = ['audio/wav', 'audio/mpeg', 'audio/ogg'] as const;

/** One of {@link routingStatuses}. */
export type RoutingStatus = (typeof routingStatuses)[number];
/** One of {@link systemPresences}. */
export type SystemPresence = (typeof systemPresences)[number];

/** [assumption] The primary source id Genesys reports for a user whose presence it owns itself. */
export const nativePresenceSourceId = 'PURECLOUD';
