/**
 * What an engineer on call does about an agent or a conversation, as exact command lines: the project's
 * CLI for what it offers (retry, skip, abandon, the directory sync), the Temporal CLI for the rest (an
 * agent's updates, a retrying or paused activity). Pure: it reads an explanation's facts, nothing else.
 */
import type { ExplanationFacts, PendingActivity, ReportedStatus } from './workflow-explanation';

/** How the operator CLI is run from the project's folder. */
export const cliCommand = 'npm run cli --';

/** A word a POSIX shell takes as is, or quoted so that it does (in double quotes when they are enough). */
export function shellWord(word: string): string {
  if (/^[\w@%+=:,./-]+$/.test(word)) return word;
  if (!/["$`\\!]/.test(word)) return `"${word}"`;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The lines of "what to do", most useful first; never empty. */
export function adviceFor(facts: ExplanationFacts): string[] {
  if (!facts.found) return notFoundAdvice(facts);
  const advice: string[] = [];
  const { execution, reported } = facts;
  const workflow = shellWord(facts.workflowId);
  if (execution.workflowTaskAttempt !== undefined && execution.workflowTaskAttempt > 1) {
    advice.push(
      `its workflow task keeps failing (attempt ${execution.workflowTaskAttempt}): a bug or a non-deterministic change ` +
        `in the workflow code; the worker's log says why, and \`temporal workflow show -w ${workflow}\` shows the failures`,
    );
  }
  if (execution.status === 'COMPLETED' && reported?.kind !== 'conversation') {
    advice.push('nothing: it completed');
  } else if (execution.status !== 'RUNNING' && execution.status !== 'COMPLETED') {
    advice.push(closedAdvice(facts.kind, execution.status));
  } else if (reported) {
    advice.push(
      ...(reported.kind === 'agent' ? agentAdvice(facts, reported) : conversationAdvice(facts, reported)),
    );
  } else {
    advice.push(
      `its status query went unanswered (${facts.queryError ?? 'no answer'}): is a worker running on task queue ` +
        `${execution.taskQueue}? \`temporal task-queue describe --task-queue ${shellWord(execution.taskQueue)}\` lists its pollers`,
    );
  }
  for (const activity of facts.pendingActivities) advice.push(...activityAdvice(workflow, activity));
  return advice;
}

function notFoundAdvice(facts: Extract<ExplanationFacts, { found: false }>): string[] {
  const shape = facts.kind === 'agent' ? 'agent/<source>/<agentId>' : 'conversation/<source>/<interactionId>';
  const advice = [
    `no workflow ${facts.workflowId} in namespace ${facts.namespace}: ${facts.kind} workflow ids are ${shape}, ` +
      `the source being the platform's name the events came with (BYOI_SOURCE) and the id the platform's own`,
  ];
  if (facts.elsewhere.length > 0) {
    advice.push(`the same ${facts.kind} id exists under another source: ${facts.elsewhere.join(', ')}`);
    for (const workflowId of facts.elsewhere) {
      const [, source] = workflowId.split('/');
      advice.push(`${cliCommand} explain ${facts.kind} ${shellWord(source ?? '')} ${shellWord(facts.id)}`);
    }
  } else {
    advice.push(
      facts.kind === 'agent'
        ? 'an agent workflow starts with the first event the ingress takes for that agent: has the platform sent one?'
        : 'a conversation workflow starts with the first event the ingress takes for that interaction: has the platform sent one? ' +
            `(\`${cliCommand} conversation list --query "ByoiExternalId = '…'"\` searches by id)`,
    );
  }
  return advice;
}

function closedAdvice(kind: ExplanationFacts['kind'], status: string): string {
  if (status === 'TERMINATED' || status === 'CANCELED') {
    return `it was ${status.toLowerCase()}; the next events sent for it start it again from its first event (a run re-fed from the source must be re-fed from its start; docs/operators.md, "Resetting and restarting workflows")`;
  }
  if (status === 'CONTINUED_AS_NEW') return 'this run continued as new: explain again to see the latest run';
  return `it ended ${status} (the failure is above); ${kind === 'agent' ? 'its next event starts it again' : 'Temporal refuses to start it again under the same id'}; reset it to an earlier workflow task from the Web UI or \`temporal workflow reset\` once the cause is fixed`;
}

function conversationAdvice(
  facts: Extract<ExplanationFacts, { found: true }>,
  reported: Extract<ReportedStatus, { kind: 'conversation' }>,
): string[] {
  const conversation = `${shellWord(facts.source)} ${shellWord(facts.id)}`;
  const abandon = `${cliCommand} conversation abandon ${conversation} --reason "…"`;
  const blocked = reported.blocked;
  switch (reported.status) {
    case 'Blocked':
      return [
        `skip the blocked step into the ledger (it is then never sent): ${cliCommand} conversation skip ${conversation}` +
          (blocked ? ` --event-id ${shellWord(blocked.eventId)}` : ''),
        `or, once its cause is fixed (${blocked?.kind === 'rejected' ? 'Genesys refused it for good' : 'the step cannot follow the conversation as Genesys holds it; an earlier step that arrives later unblocks it by itself'}), try it again: ${cliCommand} conversation retry ${conversation}`,
        `or give the conversation up, ending its live legs in Genesys: ${abandon}`,
      ];
    case 'WaitingForMapping':
      return [
        `sync the directory so that the missing party gets its Genesys id; the conversation then resumes by itself: ${cliCommand} directory sync --source ${shellWord(facts.source)}`,
        'if the party is not in the directory snapshot (BYOI_DIRECTORY_SNAPSHOT), add it there first (an agent with its external id, a queue or wrap-up code by name)',
        `to look again at once after a fix made in Genesys by hand: ${cliCommand} conversation retry ${conversation}`,
      ];
    case 'Stalled':
      return [
        'its legs stay live: a step that would have ended them came late (the ledger says which); end them in Genesys and complete it: ' +
          abandon,
      ];
    case 'WaitingForWrapUp':
      return [
        'nothing: it completes by itself when the agents wrap up, or without their wrap-ups after 30 minutes',
      ];
    case 'WaitingForRecording':
      return [`nothing: it uploads the recording when it is ready; if it will never come: ${abandon}`];
    case 'UploadingRecording':
      return facts.pendingActivities.some((activity) => activity.lastFailure !== undefined)
        ? [
            'the upload keeps failing (the activity below says why); it retries by itself, at most a minute apart, for up to a day: ' +
              `fix what its failure names, or give the conversation up: ${abandon}`,
          ]
        : ['nothing: the recording is on its way to Genesys'];
    case 'RecordingMissing':
      return [
        'no recording came in time; if it matters, send its recordingReady event again under a new interaction id',
      ];
    case 'RecordingFailed':
      return [
        `check the recording at its source: ${reported.recording.reason ?? 'Genesys marked the upload failed'}`,
      ];
    case 'Orphaned':
      return [
        "its events never saw the conversation's start (each is in the ledger): find the lost `started` at the source",
      ];
    case 'Abandoned':
    case 'Completed':
      return ['nothing: it has ended'];
    case 'Running':
      return [reported.message ? `nothing: it runs (${reported.message})` : 'nothing: events flow'];
    case 'Retrying':
      return retryingAdvice(facts);
    default:
      return unknownStatusAdvice(facts, reported.status);
  }
}

function agentAdvice(
  facts: Extract<ExplanationFacts, { found: true }>,
  reported: Extract<ReportedStatus, { kind: 'agent' }>,
): string[] {
  const workflow = shellWord(facts.workflowId);
  const advice: string[] = [];
  switch (reported.status) {
    case 'Running':
      advice.push('nothing: its events flow');
      break;
    case 'WaitingForMapping':
      advice.push(
        `sync the directory so that a Genesys user carries its external id; its events then flow by themselves: ${cliCommand} directory sync --source ${shellWord(facts.source)}`,
        `if the agent is not in the directory snapshot (BYOI_DIRECTORY_SNAPSHOT), add it there first (external id ${facts.id})`,
      );
      break;
    case 'Conflict':
      advice.push(
        "the Genesys user's primary presence source is another source's: fix it in Genesys; the next directory sync or the workflow's own look (every 10 minutes) resumes it",
      );
      break;
    case 'Retrying':
      advice.push(...retryingAdvice(facts));
      break;
    default:
      advice.push(...unknownStatusAdvice(facts, reported.status));
  }
  const refused = reported.ledger.filter((entry) => entry.outcome === 'rejected').length;
  if (refused > 0) {
    advice.push(
      `re-queue the ${refused} refused event${refused === 1 ? '' : 's'} in its ledger that can still be delivered: ` +
        `temporal workflow update execute -w ${workflow} --name retryDeadLetters`,
    );
  }
  if (reported.pending > 0 && reported.status !== 'Running') {
    advice.push(
      `or drop its ${reported.pending} pending events into the ledger as skipped: temporal workflow update execute -w ${workflow} --name skipPending -i '{}'`,
    );
  }
  return advice;
}

function retryingAdvice(facts: Extract<ExplanationFacts, { found: true }>): string[] {
  return facts.pendingActivities.length > 0
    ? ['wait: the activity below retries by itself; pause or reset it if the retries only add load']
    : ['wait: it retries by itself'];
}

function unknownStatusAdvice(facts: Extract<ExplanationFacts, { found: true }>, status: string): string[] {
  return [
    `status ${status} is newer than this CLI: its message and fields above say what it means; ` +
      `\`temporal workflow describe -w ${shellWord(facts.workflowId)}\` and the Web UI show the rest`,
  ];
}

/** An activity that retries, or that is paused, with the Temporal CLI's commands for it. */
function activityAdvice(workflow: string, activity: PendingActivity): string[] {
  const which = `-w ${workflow} -a ${shellWord(activity.activityId)}`;
  if (activity.state === 'PAUSED' || activity.state === 'PAUSE_REQUESTED') {
    return [
      `activity ${activity.type} (${activity.activityId}) is paused: resume it with \`temporal activity unpause ${which}\`, ` +
        `or start its retries afresh with \`temporal activity reset ${which}\``,
    ];
  }
  if (activity.attempt <= 1 && activity.lastFailure === undefined) return [];
  return [
    `activity ${activity.type} (${activity.activityId}) is retrying (attempt ${activity.attempt}` +
      `${activity.nextAttemptAt ? `, next at ${activity.nextAttemptAt}` : ''}): stop it with \`temporal activity pause ${which}\`, ` +
      `retry at once from attempt 1 with \`temporal activity reset ${which}\`, resume a paused one with \`temporal activity unpause ${which}\``,
  ];
}
