/**
 * The main job's first act: one call and one email posted through the ingress as an adapter would, then
 * the same batch again, each interaction followed to its end in Genesys.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Client } from '@temporalio/client';
import axios from 'axios';
import { conversationWorkflowId } from '../../client/library/conversation-events';
import type { BridgeConfig } from '../../config';
import type { conversationWorkflow } from '../../workflows/conversation';
import { demoInteractions, silentWav } from '../load/contact-centre';
import type { AgentStates } from './agent-states';
import { showSealedHistory } from './codec';
import type { DemoIngress } from './stack';
import { step } from './step';

/** The call's recording (5 s of silence), also the recording of the fault scenes' call. */
export function demoRecordingFile(config: BridgeConfig): string {
  return path.resolve(config.dataDir, 'demo-call.wav');
}

/**
 * Plays the demo contact centre through the ingress, as an adapter would: three agents log in On Queue,
 * then an inbound call with a hold, a blind transfer to another agent and a recording, and an inbound
 * email answered and wrapped up, each agent Interacting from its offer to its wrap-up, posted as one
 * batch; prints the ingress's answer and how each interaction ended in Genesys.
 */
export async function playOneCallAndOneEmail(
  client: Client,
  config: BridgeConfig,
  ingress: DemoIngress,
  uiUrl: string | undefined,
  agentStates: AgentStates,
) {
  const source = config.directory.source;
  const recording = demoRecordingFile(config);
  const wav = silentWav(5);
  writeFileSync(recording, wav);
  const { interactions, agentEvents } = demoInteractions(source, pathToFileURL(recording).href, wav.length);
  const batch = [
    ...agentEvents.map((event) => ({ kind: 'agent' as const, ...event })),
    ...interactions.flat().map((event) => ({ kind: 'conversation' as const, ...event })),
  ];
  for (const event of batch) agentStates.see(event);
  const post = () =>
    axios.post<{ accepted: number; duplicate: number; refused: number }>(`${ingress.url}/v1/events`, batch, {
      headers: { authorization: `Bearer ${ingress.token}` },
    });
  const answer = (await post()).data;
  step(
    `posted ${batch.length} events to the ingress: ${answer.accepted} accepted, ${answer.refused} refused`,
  );
  const again = (await post()).data;
  step(
    `posted the same batch again (a redelivery): ${again.accepted + again.duplicate} held by Temporal again; ` +
      'the workflows drop what they have seen, so nothing is injected twice',
  );
  for (const events of interactions) {
    const { interactionId, channel } = events[0]!;
    const workflowId = conversationWorkflowId(source, interactionId);
    const outcome = await client.workflow.getHandle<typeof conversationWorkflow>(workflowId).result();
    const legs = outcome.legs.map((leg) => (leg.role === 'agent' ? `agent ${leg.agentId}` : leg.role));
    step(
      `${channel} ${interactionId}: ${outcome.status} — Genesys conversation ${outcome.conversationId}, legs ${legs.join(', ')}; ` +
        `${outcome.counters.genesysEvents} Genesys events, ${outcome.counters.duplicates} redelivered events dropped${outcome.recording.uploaded ? `; recording uploaded (MD5 ${outcome.recording.uploaded.md5})` : ''}`,
    );
    if (uiUrl)
      step(`  ${uiUrl}/namespaces/${config.temporal.namespace}/workflows/${encodeURIComponent(workflowId)}`);
    const first = events[0]!.change;
    if (first.type === 'started')
      await showSealedHistory(client, workflowId, "the caller's number", [first.ani.replace(/^\+/, '')]);
    if (first.type === 'received')
      await showSealedHistory(client, workflowId, "the sender's address and the subject", [
        first.from,
        ...(first.subject ? [first.subject] : []),
      ]);
  }
}
