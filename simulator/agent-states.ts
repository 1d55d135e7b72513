/**
 * A user's presence and routing status over time, merged from their two timelines, and the stretches of
 * time during which they fail a rule: what the consistency report judges agents by. Pure.
 */
import type { TimelineEntry } from './state';

/** A user's presence and routing status over time: `presence[i]`/`routing[i]` hold from `times[i]` on. */
export interface AgentStates {
  times: number[];
  presence: (string | undefined)[];
  routing: (string | undefined)[];
}

/** A stretch of time during which the state disagreed, with the state at its start. */
export interface Disagreement {
  start: number;
  end: number;
  presence: string | undefined;
  routing: string | undefined;
}

/** Whether a presence and a routing status (undefined: not known yet) satisfy a rule. */
export type Agreement = (presence: string | undefined, routing: string | undefined) => boolean;

/** Merges a user's two timelines (each in time order, as rule 1 keeps them) into one state per instant. */
export function agentStates(
  presence: readonly TimelineEntry[] = [],
  routing: readonly TimelineEntry[] = [],
): AgentStates {
  const states: AgentStates = { times: [], presence: [], routing: [] };
  let currentPresence: string | undefined;
  let currentRouting: string | undefined;
  // Each timestamp parsed once: this runs over every entry of every user.
  const presenceTimes = presence.map((entry) => Date.parse(entry.eventDateTime));
  const routingTimes = routing.map((entry) => Date.parse(entry.eventDateTime));
  let p = 0;
  let r = 0;
  while (p < presence.length || r < routing.length) {
    const time = Math.min(presenceTimes[p] ?? Infinity, routingTimes[r] ?? Infinity);
    // A presence event without a definition (a message only) keeps the presence it had.
    for (; presenceTimes[p] === time; p++) currentPresence = presence[p]!.value ?? currentPresence;
    for (; routingTimes[r] === time; r++) currentRouting = routing[r]!.value;
    states.times.push(time);
    states.presence.push(currentPresence);
    states.routing.push(currentRouting);
  }
  return states;
}

/** The index of the last state in force at `time`, or -1 before the first. */
export function stateIndexAt(times: readonly number[], time: number): number {
  let low = 0;
  let high = times.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (times[middle]! <= time) low = middle + 1;
    else high = middle;
  }
  return low - 1;
}

/** The stretches of [from, to] during which `agrees` failed for longer than `graceMs` (only the first when `firstOnly`). */
export function disagreements(
  states: AgentStates,
  from: number,
  to: number,
  agrees: Agreement,
  graceMs: number,
  firstOnly = false,
): Disagreement[] {
  const runs: Disagreement[] = [];
  let index = stateIndexAt(states.times, from);
  let time = from;
  let run: Omit<Disagreement, 'end'> | undefined;
  for (;;) {
    const presence = index >= 0 ? states.presence[index] : undefined;
    const routing = index >= 0 ? states.routing[index] : undefined;
    if (agrees(presence, routing)) {
      if (run && time - run.start > graceMs) {
        runs.push({ ...run, end: time });
        if (firstOnly) return runs;
      }
      run = undefined;
    } else {
      run ??= { start: time, presence, routing };
    }
    const next = states.times[index + 1];
    if (next === undefined || next >= to) break;
    time = next;
    index++;
  }
  if (run && to - run.start > graceMs) runs.push({ ...run, end: to });
  return runs;
}
