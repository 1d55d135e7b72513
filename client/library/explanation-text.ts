/** An explanation (workflow-explanation.ts) as a terminal reads it: the answer first, what to do last. */
import { formatLeg } from './conversation-operations';
import type { Explanation, PendingActivity, ReportedStatus } from './workflow-explanation';

/** How many of the latest ledger entries the text shows (`--json` has all the query gave). */
const ledgerLines = 10;

/** The explanation in lines for a terminal. */
export function formatExplanation(explanation: Explanation): string {
  const lines: string[] = [];
  if (!explanation.found) {
    lines.push(`${explanation.workflowId}: not found`);
  } else {
    const { execution, reported } = explanation;
    lines.push(`${explanation.workflowId}: ${headline(explanation)}`);
    const field = (name: string, value: string) => lines.push(`  ${name.padEnd(10)} ${value}`);
    field(
      'workflow',
      `${execution.status}, run ${execution.runId}, task queue ${execution.taskQueue}, ` +
        `started ${execution.startedAt}${execution.closedAt ? `, closed ${execution.closedAt}` : ''}, ${execution.historyLength} history events` +
        (execution.workflowTaskAttempt && execution.workflowTaskAttempt > 1
          ? `, workflow task attempt ${execution.workflowTaskAttempt}`
          : ''),
    );
    const attributes = Object.entries(execution.searchAttributes).map(([key, value]) => `${key}=${value}`);
    if (attributes.length > 0) field('search', attributes.join(' '));
    if (reported) {
      if (explanation.reportedBy === 'result') field('status', 'from its result (it completed)');
      for (const [name, value] of reportedLines(reported)) field(name, value);
    } else if (explanation.queryError) {
      field('status', `the status query went unanswered: ${explanation.queryError}`);
    }
    for (const activity of explanation.pendingActivities) field('activity', activityLine(activity));
    for (const [key, value] of Object.entries(explanation.unknownFields)) field(key, JSON.stringify(value));
    if (reported && reported.ledger.length > 0) {
      const shown = reported.ledger.slice(-ledgerLines);
      field(
        'ledger',
        `${reported.ledger.length} entr${reported.ledger.length === 1 ? 'y' : 'ies'}` +
          (shown.length < reported.ledger.length ? ` (the latest ${shown.length})` : ''),
      );
      for (const entry of shown) {
        const name = 'type' in entry ? entry.type : entry.kind;
        lines.push(
          `    ${entry.outcome} ${name} ${entry.eventId} (occurred ${entry.occurredAt}): ${entry.reason}`,
        );
      }
    }
    if (explanation.ending) field('ended', explanation.ending);
    if (explanation.lastFailure) field('failure', explanation.lastFailure);
  }
  lines.push('what to do:');
  for (const advice of explanation.advice) lines.push(`  - ${advice}`);
  return lines.join('\n');
}

function headline(explanation: Extract<Explanation, { found: true }>): string {
  const { reported, execution } = explanation;
  if (!reported) return `${execution.status} (its own status unknown)`;
  return `${reported.status}${reported.message ? ` — ${reported.message}` : ''}`;
}

/** The status's own fields, named. */
function reportedLines(reported: ReportedStatus): [string, string][] {
  if (reported.kind === 'agent') {
    const { counters } = reported;
    return [
      ['Genesys', `user ${reported.genesysUserId ?? '(not mapped)'}`],
      [
        'events',
        `${counters.received} received, ${counters.published} published, ${reported.pending} pending, ${counters.duplicates} duplicates; ` +
          `ledger: ${counters.late} late, ${counters.tooOld} too old, ${counters.rejected} refused, ${counters.skipped} skipped`,
      ],
      ...(reported.lastPublished
        ? ([
            [
              'published',
              `last ${reported.lastPublished.kind} event ${reported.lastPublished.eventId} (occurred ${reported.lastPublished.occurredAt})`,
            ],
          ] as [string, string][])
        : []),
    ];
  }
  const { counters } = reported;
  const lines: [string, string][] = [
    [
      'Genesys',
      `conversation ${reported.conversationId ?? '(not started)'} (${reported.channel ?? 'channel unknown'})`,
    ],
    [
      'events',
      `${counters.received} received, ${counters.applied} steps applied (${counters.genesysEvents} Genesys events), ` +
        `${reported.pending ?? 0} pending, ${counters.duplicates} duplicates; ` +
        `ledger: ${counters.late} late, ${counters.tooOld} too old, ${counters.skipped} skipped`,
    ],
  ];
  for (const leg of reported.legs) {
    lines.push(['leg', formatLeg(leg)]);
  }
  if (reported.blocked) {
    const { blocked } = reported;
    const why: Record<string, string> = {
      unmapped: 'a party without a Genesys id',
      unsupported: 'a step it cannot express',
      rejected: 'Genesys refused it',
    };
    lines.push([
      'blocked',
      `${blocked.type}, event ${blocked.eventId} (${why[blocked.kind] ?? blocked.kind})`,
    ]);
  }
  lines.push([
    'recording',
    `${reported.recording.state}${reported.recording.reason ? ` — ${reported.recording.reason}` : ''}`,
  ]);
  return lines;
}

function activityLine(activity: PendingActivity): string {
  return (
    `${activity.type} (id ${activity.activityId}) ${activity.state}, attempt ${activity.attempt}` +
    (activity.maximumAttempts > 0 ? ` of ${activity.maximumAttempts}` : '') +
    (activity.nextAttemptAt ? `, next attempt ${activity.nextAttemptAt}` : '') +
    (activity.lastWorker ? `, last worker ${activity.lastWorker}` : '') +
    (activity.lastFailure ? `; last failure: ${activity.lastFailure}` : '')
  );
}
