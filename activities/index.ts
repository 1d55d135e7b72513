/**
 * The bridge's activities, built from the dependencies the worker wires (real ones in production,
 * the same ones against the simulator in tests).
 */
import { createAgentActivities, type AgentDependencies } from './agents';
import { createConversationActivities, type ConversationDependencies } from './conversations';
import { createDirectoryActivities, type DirectoryDependencies } from './directory';
import { createGenesysCheckActivities, type GenesysCheckDependencies } from './genesys-check';
import { heartbeating } from './heartbeating';
import { createSelfCheckActivities, type SelfCheckDependencies } from './self-check';

/** Everything the activities need from the process that hosts them. */
export type ActivityDependencies = SelfCheckDependencies &
  GenesysCheckDependencies &
  DirectoryDependencies &
  AgentDependencies &
  ConversationDependencies;

/** Builds every activity the bridge's workflows call. */
export function createActivities(dependencies: ActivityDependencies) {
  const agents = createAgentActivities(dependencies);
  const conversations = createConversationActivities(dependencies);
  return {
    ...createSelfCheckActivities(dependencies),
    ...createGenesysCheckActivities(dependencies),
    ...createDirectoryActivities(dependencies),
    ...agents,
    ...conversations,
    // Run locally first; as regular activities (workflows/publishing.ts) they heartbeat.
    publishAgentChanges: (...request: Parameters<typeof agents.publishAgentChanges>) =>
      heartbeating(() => agents.publishAgentChanges(...request)),
    publishConversationStep: (...step: Parameters<typeof conversations.publishConversationStep>) =>
      heartbeating(() => conversations.publishConversationStep(...step)),
  };
}

/** The activity interface workflows proxy (`import type` only). */
export type BridgeActivities = ReturnType<typeof createActivities>;
export type { WorkerReport } from './self-check';
export type { GenesysReport } from './genesys-check';
export type { DirectorySyncReport, SnapshotLocation } from './directory';
export type { AgentChangesPublished, AgentResolution, AgentTarget } from './agents';
export type {
  GenesysConversationEvent,
  PartyResolution,
  RecordingToUpload,
  StepOrigin,
  UploadedRecording,
} from './conversations';
