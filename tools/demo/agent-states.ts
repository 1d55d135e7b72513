/** What the main job's agents are doing, followed from the events it sends. */
import { readyState } from '../load/contact-centre';

/** What an agent's latest events said. */
export interface AgentState {
  presence?: string;
  routing?: string;
  /** The instant of its latest event. */
  lastMs: number;
}

/** Follows the events the main job sends, so later scenarios carry on from each agent's last state. */
export class AgentStates {
  private readonly states = new Map<string, AgentState>();
  /** The instant of the latest event sent, of any kind. */
  lastMs = -Infinity;

  see(event: { kind: string; occurredAt?: unknown; agentId?: unknown; change?: unknown }): void {
    const atMs = Date.parse(String(event.occurredAt));
    this.lastMs = Math.max(this.lastMs, atMs);
    if (event.kind !== 'agent' || typeof event.agentId !== 'string') return;
    const state = this.states.get(event.agentId) ?? { lastMs: -Infinity };
    const change = event.change as { kind: string; state?: string; status?: string };
    if (change.kind === 'presence') state.presence = change.state;
    else state.routing = change.status;
    state.lastMs = Math.max(state.lastMs, atMs);
    this.states.set(event.agentId, state);
  }

  of(agentId: string): AgentState | undefined {
    return this.states.get(agentId);
  }

  /** On queue and free to take an interaction. */
  isReady(agentId: string): boolean {
    const state = this.of(agentId);
    return state?.presence === readyState && state.routing === 'Idle';
  }
}
