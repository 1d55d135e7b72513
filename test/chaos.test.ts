import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import axios from 'axios';
import { RecordingSources } from '../activities/conversations/recording-source';
import { startAcknowledgementLog, type AcknowledgedEvent } from '../tools/chaos/acknowledgements';
import { judge, toleranceMs, type AgentReadBack, type ConversationReadBack } from '../tools/chaos/oracle';
import { defaultChaosFlags } from '../tools/chaos/options';
import { startRecordingSource } from '../tools/chaos/recording-source';
import { chaosSummary } from '../tools/chaos/report';
import { chaosRun } from '../tools/chaos/run';
import { chaosSchedule, rulesAt } from '../tools/chaos/schedule';
import { silentWav } from '../tools/load/contact-centre';
import { driveLoad } from '../tools/load/driver';

const base = Date.parse('2026-12-03T08:00:00.000Z');

/** An acknowledged agent event of `agentId`'s `stream`, `offsetMs` after the base time. */
function agentEvent(
  eventId: string,
  offsetMs: number,
  stream = 'presence',
  agentId = 'agent-1',
): AcknowledgedEvent {
  return {
    eventId,
    kind: 'agent',
    entityId: agentId,
    occurredAt: new Date(base + offsetMs).toISOString(),
    change: stream,
    acknowledgedAt: base + offsetMs,
  };
}

/** A Genesys event stamped `offsetMs` after the base time. */
function genesysEvent(eventId: string, offsetMs: number, key?: string) {
  return { eventId, eventDateTime: new Date(base + offsetMs).toISOString(), ...(key ? { key } : {}) };
}

function agentReadBack(
  presence: ReturnType<typeof genesysEvent>[],
  ledger: AgentReadBack['ledger'] = [],
): AgentReadBack {
  return { agentId: 'agent-1', streams: { presence, routingStatus: [] }, ledger };
}

describe('the chaos schedule', () => {
  it('plays every fault kind at least once within a two-minute run', () => {
    const schedule = chaosSchedule(120, 7, 2);
    const spells = schedule.flatMap((fault) => (fault.kind === 'genesysSpell' ? [fault.name] : []));
    assert.deepEqual([...spells].sort(), [
      'droppedConnections',
      'errors5xx',
      'latencySpikes',
      'rateLimited429',
      'tokenOutage',
    ]);
    assert.equal(schedule.filter((fault) => fault.kind === 'serverRestart').length, 1);
    assert.equal(schedule.filter((fault) => fault.kind === 'ingressRestart').length, 1);
    const kills = schedule.filter((fault) => fault.kind === 'workerKill');
    assert.ok(kills.length >= 1, 'a worker is killed');
    for (const fault of schedule)
      assert.ok(fault.atSeconds > 0 && fault.atSeconds < 120, `${fault.kind} inside the run`);
    for (let index = 1; index < kills.length; index++) {
      assert.ok(kills[index]!.atSeconds - kills[index - 1]!.atSeconds >= 25, 'kills at least 25 s apart');
    }
  });

  it('kills a worker every 60 to 90 s in a ten-minute run, the workers taking turns', () => {
    const kills = chaosSchedule(600, 3, 2).filter((fault) => fault.kind === 'workerKill');
    assert.ok(kills.length >= 6 && kills.length <= 10, `${kills.length} kills`);
    kills.forEach((kill, index) => {
      const gap = kill.atSeconds - (kills[index - 1]?.atSeconds ?? 0);
      assert.ok(gap >= 60 && gap <= 90, `gap ${gap} s`);
      if (kill.kind === 'workerKill') assert.equal(kill.worker, index % 2);
    });
  });

  it('is the same for the same seed and differs for another', () => {
    assert.deepEqual(chaosSchedule(300, 5, 2), chaosSchedule(300, 5, 2));
    assert.notDeepEqual(chaosSchedule(300, 5, 2), chaosSchedule(300, 6, 2));
  });

  it('gives the simulator only the rules of the spells under way', () => {
    const schedule = chaosSchedule(600, 1, 2);
    const spell = schedule.find((fault) => fault.kind === 'genesysSpell' && fault.name === 'errors5xx');
    assert.ok(spell?.kind === 'genesysSpell');
    assert.deepEqual(rulesAt(schedule, spell.atSeconds), spell.rules);
    assert.deepEqual(rulesAt(schedule, spell.atSeconds + spell.durationSeconds), []);
  });
});

describe('the chaos oracle', () => {
  it('counts an acknowledged event found neither in Genesys nor in a ledger as lost', () => {
    const verdict = judge(
      [agentEvent('a', 0), agentEvent('b', 1_000)],
      [agentReadBack([genesysEvent('g1', 0)])],
      [],
      'md5',
    );
    assert.equal(verdict.delivered, 1);
    assert.equal(verdict.lost, 1);
    assert.equal(verdict.ok, false);
  });

  it('accounts for an undelivered event found in its workflow ledger by the ledger reason', () => {
    const verdict = judge(
      [agentEvent('a', 0), agentEvent('b', 1_000)],
      [
        agentReadBack(
          [genesysEvent('g1', 0)],
          [{ eventId: 'b', outcome: 'late', reason: 'behind its stream' }],
        ),
      ],
      [],
      'md5',
    );
    assert.deepEqual(verdict.inLedgers, { late: 1 });
    assert.equal(verdict.lost, 0);
    assert.equal(verdict.ok, true);
  });

  it('counts a second Genesys event for one acknowledged event as doubled', () => {
    const verdict = judge(
      [agentEvent('a', 0)],
      [agentReadBack([genesysEvent('g1', 0), genesysEvent('g2', 1)])],
      [],
      'md5',
    );
    assert.equal(verdict.doubled, 1);
    assert.equal(verdict.ok, false);
  });

  it('counts events that reached Genesys out of their source order as reordered', () => {
    const verdict = judge(
      [agentEvent('a', 0), agentEvent('b', 1_000)],
      [agentReadBack([genesysEvent('g2', 1_000), genesysEvent('g1', 0)])],
      [],
      'md5',
    );
    assert.equal(verdict.reordered, 1);
    assert.equal(verdict.delivered, 2);
  });

  it('counts the events Genesys refused as out of order as reordered, though a ledger holds them', () => {
    const verdict = judge(
      [agentEvent('a', 0)],
      [agentReadBack([], [{ eventId: 'a', outcome: 'rejected', reason: 'out of order' }])],
      [],
      'md5',
      1,
    );
    assert.equal(verdict.reordered, 1);
    assert.equal(verdict.ok, false);
  });

  it(`matches a Genesys event stamped up to ${toleranceMs} ms after its source event, never before it`, () => {
    const verdict = judge(
      [agentEvent('a', 0), agentEvent('b', 5_000)],
      [agentReadBack([genesysEvent('g1', toleranceMs), genesysEvent('g2', 4_999)])],
      [],
      'md5',
    );
    assert.equal(verdict.delivered, 1);
    assert.equal(verdict.unexpected, 1);
    assert.equal(verdict.lost, 1);
  });

  it('fails a recording whose MD5 is not the served file and passes one that is', () => {
    const call = (interactionId: string, md5: string): ConversationReadBack => ({
      interactionId,
      status: 'Completed',
      events: [genesysEvent(`${interactionId}-g`, 0, 'callEstablished')],
      ledger: [],
      recordings: [{ status: 'Success', md5 }],
    });
    const acknowledged = ['good', 'bad'].flatMap((interactionId) =>
      (['started', 'recordingReady'] as const).map((change) => ({
        ...agentEvent(`${interactionId}-${change}`, 0),
        kind: 'conversation' as const,
        entityId: interactionId,
        change,
      })),
    );
    const verdict = judge(acknowledged, [], [call('good', 'served'), call('bad', 'other')], 'served');
    assert.equal(verdict.recordings.expected, 2);
    assert.equal(verdict.recordings.matched, 1);
    assert.equal(verdict.recordings.mismatched, 1);
    assert.equal(verdict.ok, false);
  });

  it('requires a conversation not ended to say why it waits', () => {
    const waiting = (reason?: string): ConversationReadBack => ({
      interactionId: 'call',
      status: 'WaitingForRecording',
      ...(reason ? { reason } : {}),
      events: [],
      ledger: [],
      recordings: [],
    });
    assert.equal(judge([], [], [waiting('the recording is awaited')], 'md5').ok, true);
    assert.equal(judge([], [], [waiting()], 'md5').conversations.unexplained, 1);
  });
});

describe('the chaos run’s acknowledgement log and recording source', () => {
  it('notes only the events the ingress answered accepted or duplicate, and answers 502 while it is down', async () => {
    const ingress = http.createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        response.writeHead(202, { 'content-type': 'application/json' });
        response.end(
          JSON.stringify({
            outcomes: [{ outcome: 'accepted' }, { outcome: 'unavailable' }, { outcome: 'duplicate' }],
          }),
        );
      });
    });
    await new Promise<void>((resolve) => ingress.listen(0, '127.0.0.1', resolve));
    const log = await startAcknowledgementLog(`http://127.0.0.1:${(ingress.address() as AddressInfo).port}`);
    try {
      const events = ['one', 'two', 'three'].map((eventId) => ({
        eventId,
        kind: 'agent',
        agentId: 'agent-1',
        occurredAt: new Date(base).toISOString(),
        change: { kind: 'presence', state: 'Break' },
      }));
      const answer = await axios.post(`${log.url}/v1/events`, events);
      assert.equal(answer.status, 202);
      assert.deepEqual([...log.acknowledged.keys()], ['one', 'three']);
      assert.equal(log.acknowledged.get('three')?.change, 'presence');
      await new Promise((resolve) => ingress.close(resolve));
      const down = await axios.post(`${log.url}/v1/events`, events, { validateStatus: () => true });
      assert.equal(down.status, 502);
      assert.equal(log.unanswered, 1);
    } finally {
      ingress.close();
      await log.close();
    }
  });

  it('serves the recording whole, fails some fetches with 503 and cuts others mid-body', async () => {
    const file = silentWav(1);
    const source = await startRecordingSource(file, { failRate: 0.3, stallRate: 0.3, stallMs: 50, seed: 4 });
    try {
      const outcomes = { whole: 0, failed: 0, cut: 0 };
      for (let index = 0; index < 30; index++) {
        try {
          const answer = await axios.get<ArrayBuffer>(source.urlOf(`call-${index}`), {
            responseType: 'arraybuffer',
            validateStatus: () => true,
          });
          if (answer.status === 503) outcomes.failed++;
          else if (Buffer.from(answer.data).equals(file)) outcomes.whole++;
        } catch {
          outcomes.cut++;
        }
      }
      assert.equal(outcomes.whole, source.counts.served);
      assert.equal(outcomes.failed, source.counts.failed);
      assert.equal(outcomes.cut, source.counts.stalled);
      assert.ok(outcomes.whole > 0 && outcomes.failed > 0 && outcomes.cut > 0, JSON.stringify(outcomes));
    } finally {
      await source.close();
    }
  });
});

describe('what the chaos run found', () => {
  it('fails a recording fetch whose source stalls mid-body once it has sent nothing for the idle time', async () => {
    const source = await startRecordingSource(silentWav(1), {
      failRate: 0,
      stallRate: 1,
      stallMs: 30_000,
      seed: 1,
    });
    try {
      const started = Date.now();
      const opened = await new RecordingSources({ idleTimeoutMs: 500 }).open(
        'acd',
        source.urlOf('call'),
        new AbortController().signal,
      );
      let received = 0;
      await assert.rejects(async () => {
        for await (const chunk of opened.body) received += (chunk as Buffer).length;
      });
      assert.ok(received > 0, 'half the file arrived before the stall');
      assert.ok(
        Date.now() - started < 5_000,
        `failed after ${Date.now() - started} ms, not the stall's 30 s`,
      );
      assert.equal(source.counts.stalled, 1);
    } finally {
      await source.close();
    }
  });
});

describe('the driver told to keep order', () => {
  it('resends what the ingress did not take before anything newer, through an outage and unavailable answers', async () => {
    const taken: string[] = [];
    let requests = 0;
    const ingress = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        requests++;
        const batch = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { eventId: string }[];
        // The first two requests meet an ingress that is down; the third leaves its first event unavailable.
        if (requests <= 2) {
          response.writeHead(502).end();
          return;
        }
        const outcomes = batch.map((event, index) => {
          if (requests === 3 && index === 0) return { outcome: 'unavailable' };
          taken.push(event.eventId);
          return { outcome: 'accepted' };
        });
        response.writeHead(202, { 'content-type': 'application/json', 'retry-after': '0' });
        response.end(JSON.stringify({ outcomes }));
      });
    });
    await new Promise<void>((resolve) => ingress.listen(0, '127.0.0.1', resolve));
    try {
      const startedAt = Date.now();
      const events = Array.from({ length: 12 }, (_, index) => ({
        atMs: startedAt + index * 150,
        event: { kind: 'agent' as const, eventId: `event-${index}` },
      }));
      const stats = await driveLoad({
        ingressUrl: `http://127.0.0.1:${(ingress.address() as AddressInfo).port}`,
        token: 'token',
        events,
        maxBatch: 5,
        inOrder: true,
      });
      assert.ok(stats.resent > 0, 'something was resent');
      // The ingress took 1–4 of the third request while 0 was unavailable: 0 follows them, before 5.
      assert.deepEqual(
        taken,
        [1, 2, 3, 4, 0, 5, 6, 7, 8, 9, 10, 11].map((index) => `event-${index}`),
      );
    } finally {
      ingress.close();
    }
  });
});

describe('a short chaos run', function () {
  // Stack start, 60 s of load (and its interactions' ends) under every fault, the settle and the read-back: under 3 minutes.
  this.timeout(240_000);

  it('loses, doubles and reorders nothing and matches every recording while every fault kind plays once', async () => {
    const report = await chaosRun({
      ...defaultChaosFlags,
      agents: 30,
      seconds: 60,
      timeScale: 0.15,
      presencePerMinute: 120,
      interactionsPerSecond: 0.5,
      recordingStallSeconds: 10,
      settleSeconds: 100,
      // Every agent continues as new a few times while the faults play.
      agentHistoryEvents: 20,
      out: '',
    });
    const summary = chaosSummary(report);
    const { verdict } = report;
    assert.ok(verdict.acknowledged > 100, summary);
    assert.equal(verdict.lost, 0, summary);
    assert.equal(verdict.doubled, 0, summary);
    assert.equal(verdict.reordered, 0, summary);
    assert.equal(verdict.recordings.mismatched, 0, summary);
    assert.ok(verdict.recordings.matched > 0, summary);
    assert.equal(verdict.conversations.unexplained, 0, summary);
    assert.ok(verdict.ok, summary);
    assert.ok(report.agentRunsContinuedAsNew > 0, summary);
    const injected = new Set(report.injected.map((fault) => fault.name.replace(/worker \d/, 'worker')));
    for (const name of [
      'worker SIGKILL',
      'Temporal dev server restart',
      'ingress SIGKILL',
      'genesys errors5xx',
      'genesys rateLimited429',
      'genesys latencySpikes',
      'genesys droppedConnections',
      'genesys tokenOutage',
    ]) {
      assert.ok(injected.has(name), `${name} was injected`);
    }
    assert.ok(
      report.recordingSource.failed + report.recordingSource.stalled > 0,
      'the recording source misbehaved',
    );
  });
});
