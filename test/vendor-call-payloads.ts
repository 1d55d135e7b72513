/**
 * One call as each vendor reports it, in the shapes their documentation gives (the corpus under
 * test/fixtures/vendors/ holds the documented samples; these builders make fresh ones, dated now):
 * Amazon Connect's contact events and contact record, Twilio's TaskRouter and recording status callbacks.
 */
import { randomUUID } from 'node:crypto';

const instanceArn = 'arn:aws:connect:us-west-2:123456789012:instance/12345678-1234-1234-1234-123456789012';

/** Connect's timestamps: UTC, to the second. */
const connectTime = (ms: number) =>
  new Date(Math.floor(ms / 1_000) * 1_000).toISOString().replace('.000', '');

/** An answered inbound call's contact events (EventBridge), INITIATED to COMPLETED; `endedAtMs` is the hang-up. */
export function amazonConnectCall(call: {
  contactId: string;
  agentUuid: string;
  queueUuid: string;
  endedAtMs: number;
}): Record<string, unknown>[] {
  const startedAtMs = call.endedAtMs - 40_000;
  const agentInfo = { agentArn: `${instanceArn}/agent/${call.agentUuid}` };
  const queueInfo = { queueArn: `${instanceArn}/queue/${call.queueUuid}`, queueType: 'STANDARD' };
  const event = (eventType: string, atMs: number, detail: Record<string, unknown>) => ({
    version: '0',
    id: randomUUID(),
    'detail-type': 'Amazon Connect Contact Event',
    source: 'aws.connect',
    account: '123456789012',
    time: connectTime(atMs),
    region: 'us-west-2',
    resources: [instanceArn, `${instanceArn}/contact/${call.contactId}`],
    detail: {
      eventType,
      contactId: call.contactId,
      channel: 'VOICE',
      instanceArn,
      initiationMethod: 'INBOUND',
      initiationTimestamp: connectTime(startedAtMs),
      customerEndpoint: { address: '+14255550100', type: 'TELEPHONE_NUMBER' },
      systemEndpoint: { address: '+18005550100', type: 'TELEPHONE_NUMBER' },
      ...detail,
    },
  });
  const connectedAtMs = startedAtMs + 8_000;
  return [
    event('INITIATED', startedAtMs, {}),
    event('QUEUED', startedAtMs + 3_000, {
      queueInfo: { ...queueInfo, enqueueTimestamp: connectTime(startedAtMs + 3_000) },
    }),
    event('CONNECTED_TO_AGENT', connectedAtMs, {
      queueInfo,
      agentInfo: { ...agentInfo, connectedToAgentTimestamp: connectTime(connectedAtMs) },
    }),
    event('DISCONNECTED', call.endedAtMs, {
      queueInfo,
      agentInfo,
      disconnectTimestamp: connectTime(call.endedAtMs),
      disconnectReason: 'CUSTOMER_DISCONNECT',
    }),
    event('COMPLETED', call.endedAtMs + 10_000, { queueInfo, agentInfo }),
  ];
}

/** The contact record Connect exports once the contact is done, naming its recording at `location`. */
export function contactRecord(contact: {
  contactId: string;
  location: string;
  updatedAtMs: number;
}): Record<string, unknown> {
  const recording = { DeletionReason: null, Location: contact.location, Status: 'AVAILABLE' };
  return {
    AWSAccountId: '123456789012',
    AWSContactTraceRecordFormatVersion: '2017-03-10',
    Channel: 'VOICE',
    ContactId: contact.contactId,
    InitiationMethod: 'INBOUND',
    InstanceARN: instanceArn,
    LastUpdateTimestamp: connectTime(contact.updatedAtMs),
    MediaStreams: [{ Type: 'AUDIO' }],
    Recording: { ...recording, Type: 'AUDIO' },
    Recordings: [{ ...recording, MediaStreamType: 'AUDIO', ParticipantType: null, StorageType: 'S3' }],
  };
}

/**
 * An answered voice task's TaskRouter callbacks (form parameters), task.created to reservation.completed;
 * the task's attributes carry the call's `call_sid`, as Twilio's voice integrations set them.
 */
export function twilioCall(call: {
  callSid: string;
  worker: string;
  queue: string;
  endedAtMs: number;
}): Record<string, string>[] {
  const taskSid = `WT${randomUUID().replace(/-/g, '')}`;
  const reservationSid = `WR${randomUUID().replace(/-/g, '')}`;
  const startedAtMs = call.endedAtMs - 30_000;
  const callback = (EventType: string, atMs: number, extra: Record<string, string> = {}) => ({
    EventType,
    Sid: `EV${randomUUID().replace(/-/g, '')}`,
    Timestamp: String(Math.floor(atMs / 1_000)),
    AccountSid: `AC${'0'.repeat(32)}`,
    WorkspaceSid: `WS${'0'.repeat(32)}`,
    TaskSid: taskSid,
    TaskChannelUniqueName: 'voice',
    TaskAttributes: JSON.stringify({
      from: '+14155551212',
      to: '+18005551212',
      call_sid: call.callSid,
      direction: 'inbound',
    }),
    TaskQueueName: call.queue,
    ...extra,
  });
  const reserved = { ReservationSid: reservationSid, WorkerName: call.worker };
  return [
    callback('task.created', startedAtMs),
    callback('task-queue.entered', startedAtMs + 1_000),
    callback('reservation.created', startedAtMs + 3_000, reserved),
    callback('reservation.accepted', startedAtMs + 6_000, reserved),
    callback('task.wrapup', call.endedAtMs),
    callback('reservation.completed', call.endedAtMs + 8_000, reserved),
  ];
}

/** Twilio's recording status callback (form parameters) for a completed recording of the call. */
export function twilioRecordingCallback(recording: {
  accountSid: string;
  callSid: string;
  recordingSid: string;
  recordingUrl: string;
  startedAtMs: number;
  durationSeconds: number;
}): Record<string, string> {
  return {
    AccountSid: recording.accountSid,
    CallSid: recording.callSid,
    RecordingSid: recording.recordingSid,
    RecordingUrl: recording.recordingUrl,
    RecordingStatus: 'completed',
    RecordingDuration: String(recording.durationSeconds),
    RecordingChannels: '1',
    RecordingSource: 'StartCallRecordingAPI',
    RecordingTrack: 'both',
    // RFC 2822, as Twilio writes it.
    RecordingStartTime: new Date(recording.startedAtMs).toUTCString().replace('GMT', '+0000'),
  };
}

/** An Amazon Connect agent event stream record (Kinesis): `username` going from Break to Available, dated now. */
export function amazonConnectAgentAvailable(
  username: string,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> & { EventId: string; EventTimestamp: string } {
  return {
    EventType: 'STATE_CHANGE',
    EventId: randomUUID(),
    EventTimestamp: new Date(Date.now() - 1_000).toISOString(),
    AgentARN: `${instanceArn}/agent/${username}`,
    CurrentAgentSnapshot: {
      AgentStatus: { Name: 'Available', Type: 'ROUTABLE' },
      Configuration: { Username: username },
      Contacts: [],
    },
    PreviousAgentSnapshot: {
      AgentStatus: { Name: 'Break', Type: 'CUSTOM' },
      Configuration: { Username: username },
      Contacts: [],
    },
    ...overrides,
  };
}
