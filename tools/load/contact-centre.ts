/**
 * A generated contact centre's directory: agents spread over queues, each with two skills, queues with
 * wrap-up codes, and a presence mapping of the usual ACD states. The demo, the tests and the load
 * generator use it as the external platform's directory snapshot. Also the main job's scripted
 * interactions, with the agent states that go with them.
 */
import { randomUUID } from 'node:crypto';
import type { DirectorySnapshotInput } from '../../domain/directory/snapshot';
import type { AgentEventInput } from '../../domain/events/agent-event';
import { interactionEventSchema, type InteractionEvent } from '../../domain/events/interaction-event';

/** The generated centre's state for an agent on queue (Genesys's On Queue): logged in, taking interactions. */
export const readyState = 'Ready';

/** The size of the generated contact centre. */
export interface ContactCentreSize {
  agents: number;
  queues?: number;
  skills?: number;
  wrapupCodes?: number;
  source?: string;
}

/** The directory snapshot of a generated contact centre (ids `agent-N`, `queue-N`, `skill-N`, `code-N`). */
export function contactCentreDirectory(size: ContactCentreSize): DirectorySnapshotInput & {
  users: { externalId: string; name: string; email: string; queues: string[] }[];
} {
  const { agents, queues = 5, skills = 4, wrapupCodes = 4, source = 'acd' } = size;
  return {
    source,
    users: Array.from({ length: agents }, (_, index) => ({
      externalId: `agent-${index + 1}`,
      name: `Agent ${index + 1}`,
      email: `agent-${index + 1}@contact-centre.example`,
      queues: [`queue-${(index % queues) + 1}`, `queue-${((index + 7) % queues) + 1}`],
      skills: [
        { skill: `skill-${(index % skills) + 1}`, proficiency: (index % 5) + 1 },
        { skill: `skill-${((index + 3) % skills) + 1}`, proficiency: 2 },
      ],
    })),
    queues: Array.from({ length: queues }, (_, index) => ({
      externalId: `queue-${index + 1}`,
      name: `Queue ${index + 1}`,
      wrapupCodes: [`code-${(index % wrapupCodes) + 1}`, `code-${((index + 1) % wrapupCodes) + 1}`],
    })),
    skills: Array.from({ length: skills }, (_, index) => ({
      externalId: `skill-${index + 1}`,
      name: `Skill ${index + 1}`,
    })),
    wrapupCodes: Array.from({ length: wrapupCodes }, (_, index) => ({
      externalId: `code-${index + 1}`,
      name: `Code ${index + 1}`,
    })),
    presenceMapping: [
      { externalState: readyState, systemPresence: 'OnQueue' },
      { externalState: 'Available', systemPresence: 'Available' },
      { externalState: 'Break', systemPresence: 'Break' },
      { externalState: 'Lunch', systemPresence: 'Meal' },
      { externalState: 'Training', systemPresence: 'Training' },
      { externalState: 'Offline', systemPresence: 'Offline' },
    ],
  };
}

/** Who is in which queue (external ids), as the load generator takes it (`LoadShape.agentQueues`). */
export function queueMemberships(directory: {
  users: { externalId: string; queues?: string[] }[];
}): Record<string, string[]> {
  return Object.fromEntries(directory.users.map((user) => [user.externalId, user.queues ?? []]));
}

/** A directory's agents, queues, memberships and wrap-up codes (external ids), as a load shape names them. */
export function loadParties(directory: DirectorySnapshotInput & { users: { externalId: string }[] }) {
  return {
    agents: directory.users.map((user) => user.externalId),
    queues: (directory.queues ?? []).map((queue) => queue.externalId),
    agentQueues: queueMemberships(directory),
    wrapupCodes: (directory.wrapupCodes ?? []).map((code) => code.externalId),
  };
}

/** A playable WAV file of `pcm`: 8 kHz 16-bit mono PCM samples (the header is the only thing added). */
export function pcmWav(pcm: Buffer): Buffer {
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'latin1');
  header.writeUInt32LE(36 + pcm.length, 4);
  header.write('WAVEfmt ', 8, 'latin1');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(8_000, 24);
  header.writeUInt32LE(16_000, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'latin1');
  header.writeUInt32LE(pcm.length, 40);
  return Buffer.concat([header, pcm]);
}

/** A playable WAV file for demo calls: `seconds` of silence. */
export function silentWav(seconds: number): Buffer {
  return pcmWav(Buffer.alloc(seconds * 16_000));
}

/** The main job's scripted interactions, and the agent events that go with them. */
export interface ScriptedInteractions {
  interactions: InteractionEvent[][];
  /** Log-ins before the interactions, and each step's routing status for its agents. */
  agentEvents: AgentEventInput[];
}

/**
 * Two interactions of the generated contact centre, as an adapter sends them: a call to queue-1
 * answered by agent-1, held, blind-transferred to agent-2 and recorded (`recordingUrl`); an email to
 * queue-2 answered by agent-3. Agents 1–3 log in On Queue and Idle half a minute before; each is
 * Interacting from its offer (assignment, transfer) and Idle at its wrap-up. Timestamps are a second
 * apart, ending now.
 */
export function demoInteractions(
  source: string,
  recordingUrl: string,
  recordingBytes: number,
): ScriptedInteractions {
  const call = [
    { type: 'started', direction: 'inbound', ani: '+15550100', dnis: '+15550199' },
    { type: 'queued', queueId: 'queue-1' },
    { type: 'offered', agentId: 'agent-1' },
    { type: 'answered', agentId: 'agent-1' },
    { type: 'held', agentId: 'agent-1' },
    { type: 'resumed', agentId: 'agent-1' },
    { type: 'blindTransfer', agentId: 'agent-1', target: { kind: 'agent', agentId: 'agent-2' } },
    { type: 'wrapUp', agentId: 'agent-1', code: 'code-1' },
    { type: 'answered', agentId: 'agent-2' },
    { type: 'disconnected', party: { kind: 'customer' } },
    { type: 'wrapUp', agentId: 'agent-2', code: 'code-2', notes: 'order status given' },
    { type: 'recordingReady', url: recordingUrl, contentType: 'audio/wav', sizeBytes: recordingBytes },
  ];
  const email = [
    {
      type: 'received',
      to: ['support@contact-centre.example'],
      from: 'customer@example.org',
      subject: 'Where is my order?',
    },
    { type: 'queued', queueId: 'queue-2' },
    { type: 'assigned', agentId: 'agent-3' },
    { type: 'replySent', agentId: 'agent-3' },
    { type: 'closed', agentId: 'agent-3', reason: 'resolved' },
    { type: 'wrapUp', agentId: 'agent-3', code: 'code-2' },
  ];
  const interactions = [interactionEvents(source, 'voice', call), interactionEvents(source, 'email', email)];
  const loggedInAt = Date.now() - 30_000;
  return {
    interactions,
    agentEvents: [
      ...['agent-1', 'agent-2', 'agent-3'].flatMap((agentId) => logIn(source, agentId, loggedInAt)),
      ...interactions.flatMap(agentStatusesOf),
    ],
  };
}

/**
 * An agent starting its shift: presence On Queue (`readyState`) and routing status Idle at one instant
 * (the routing status second, by `sequence`).
 */
export function logIn(source: string, agentId: string, atMs: number): AgentEventInput[] {
  const occurredAt = new Date(atMs).toISOString();
  return [
    { source, agentId, eventId: randomUUID(), occurredAt, change: { kind: 'presence', state: readyState } },
    {
      source,
      agentId,
      eventId: randomUUID(),
      occurredAt,
      sequence: 1,
      change: { kind: 'routingStatus', status: 'Idle' },
    },
  ];
}

/**
 * The routing statuses an interaction's steps give its agents, as the ACD reports them, each at its
 * step's instant: Interacting from the offer, the email's assignment or a transfer to the agent (through
 * talk and after-call work: Genesys's "On Queue handling an interaction or completing after-call work"),
 * Idle at the agent's wrap-up.
 */
export function agentStatusesOf(events: InteractionEvent[]): AgentEventInput[] {
  const status = (event: InteractionEvent, agentId: string, routing: 'Interacting' | 'Idle') => ({
    source: event.source,
    agentId,
    eventId: randomUUID(),
    occurredAt: event.occurredAt,
    change: { kind: 'routingStatus' as const, status: routing },
  });
  return events.flatMap((event) => {
    const { change } = event;
    switch (change.type) {
      case 'offered':
      case 'assigned':
        return [status(event, change.agentId, 'Interacting')];
      case 'blindTransfer':
      case 'transferred':
        return change.target.kind === 'agent' ? [status(event, change.target.agentId, 'Interacting')] : [];
      case 'wrapUp':
        return [status(event, change.agentId, 'Idle')];
      default:
        return [];
    }
  });
}

/**
 * One interaction's events from its steps, with a fresh interaction id and event ids, a second apart,
 * the last `endAgoMs` before now.
 */
export function interactionEvents(
  source: string,
  channel: 'voice' | 'email',
  changes: unknown[],
  endAgoMs = 0,
): InteractionEvent[] {
  return interactionEventsFrom(source, channel, changes, Date.now() - endAgoMs - changes.length * 1_000);
}

/** One interaction's events from its steps, with a fresh interaction id and event ids, a second apart from `startMs`. */
export function interactionEventsFrom(
  source: string,
  channel: 'voice' | 'email',
  changes: unknown[],
  startMs: number,
): InteractionEvent[] {
  const interactionId = `${channel}-${randomUUID().slice(0, 8)}`;
  return changes.map((change, index) =>
    interactionEventSchema.parse({
      source,
      channel,
      interactionId,
      eventId: randomUUID(),
      occurredAt: new Date(startMs + index * 1_000).toISOString(),
      change,
    }),
  );
}
