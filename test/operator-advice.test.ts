import assert from 'node:assert/strict';
import { formatExplanation } from '../client/library/explanation-text';
import { adviceFor, shellWord } from '../client/library/operator-advice';
import type {
  Explanation,
  ExplanationFacts,
  PendingActivity,
  ReportedStatus,
} from '../client/library/workflow-explanation';

/** A running conversation's facts as explainWorkflow gathers them, with `status` and `activities`. */
function runningConversation(
  status: string,
  activities: PendingActivity[] = [],
  extra: Record<string, unknown> = {},
): ExplanationFacts {
  const reported = {
    kind: 'conversation',
    source: 'acd',
    interactionId: 'call-1',
    status,
    message: `it is ${status}`,
    legs: [],
    pending: 1,
    counters: { received: 3, duplicates: 0, late: 0, tooOld: 0, skipped: 0, applied: 2, genesysEvents: 4 },
    recording: { state: 'notExpected' },
    ledger: [],
    ...extra,
  } as ReportedStatus;
  return {
    kind: 'conversation',
    source: 'acd',
    id: 'call-1',
    workflowId: 'conversation/acd/call-1',
    namespace: 'default',
    found: true,
    execution: {
      status: 'RUNNING',
      runId: 'run-1',
      taskQueue: 'byoi-bridge',
      startedAt: '2026-12-03T10:00:00.000Z',
      historyLength: 40,
      searchAttributes: { ByoiStatus: status },
    },
    pendingActivities: activities,
    reported,
    reportedBy: 'query',
    unknownFields: extra,
  };
}

const publishing: PendingActivity = {
  activityId: '7',
  type: 'publishConversationStep',
  state: 'SCHEDULED',
  attempt: 5,
  maximumAttempts: 0,
  lastFailure: 'Genesys answered 503',
  nextAttemptAt: '2026-12-03T10:05:00.000Z',
};

describe("the operator's advice", () => {
  it('tells a retrying activity how to pause, reset or unpause it, naming the workflow and activity', () => {
    const advice = adviceFor(runningConversation('Retrying', [publishing]));
    assert.match(advice[0]!, /^wait: the activity below retries by itself/);
    assert.match(
      advice[1]!,
      /publishConversationStep \(7\) is retrying \(attempt 5, next at 2026-12-03T10:05:00.000Z\)/,
    );
    assert.ok(advice[1]!.includes('temporal activity pause -w conversation/acd/call-1 -a 7'));
    assert.ok(advice[1]!.includes('temporal activity reset -w conversation/acd/call-1 -a 7'));
  });

  it('tells a paused activity how to resume it', () => {
    const advice = adviceFor(runningConversation('Retrying', [{ ...publishing, state: 'PAUSED' }]));
    assert.ok(
      advice.some((line) =>
        line.includes(
          'is paused: resume it with `temporal activity unpause -w conversation/acd/call-1 -a 7`',
        ),
      ),
    );
  });

  it('shows a status and fields it does not know as the workflow gave them', () => {
    const facts = runningConversation('Frobnicating', [], {
      retrying: { attempt: 3, since: '2026-12-03T10:01:00Z' },
    });
    const explanation: Explanation = { ...facts, advice: adviceFor(facts) };
    assert.match(explanation.advice[0]!, /^status Frobnicating is newer than this CLI/);
    const text = formatExplanation(explanation);
    assert.match(text, /^conversation\/acd\/call-1: Frobnicating — it is Frobnicating$/m);
    assert.match(text, /^ {2}retrying +\{"attempt":3,"since":"2026-12-03T10:01:00Z"\}$/m);
  });

  it('says how to find a workflow that is not there', () => {
    const advice = adviceFor({
      kind: 'agent',
      source: 'acd',
      id: 'agent-9',
      workflowId: 'agent/acd/agent-9',
      namespace: 'default',
      found: false,
      elsewhere: ['agent/twilio/agent-9'],
    });
    assert.match(
      advice[0]!,
      /^no workflow agent\/acd\/agent-9 in namespace default: agent workflow ids are agent\/<source>\/<agentId>/,
    );
    assert.deepEqual(advice.slice(1), [
      'the same agent id exists under another source: agent/twilio/agent-9',
      'npm run cli -- explain agent twilio agent-9',
    ]);
  });

  it('quotes for the shell only what needs it', () => {
    assert.equal(shellWord('conversation/acd/call-1'), 'conversation/acd/call-1');
    assert.equal(shellWord("ByoiExternalId IN ('a', 'b')"), `"ByoiExternalId IN ('a', 'b')"`);
    assert.equal(shellWord('say "$HOME"'), `'say "$HOME"'`);
    assert.equal(shellWord(`it's "it"`), `'it'\\''s "it"'`);
  });
});
