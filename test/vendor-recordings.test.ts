/**
 * Issue 17's "done when": a call that enters through the Amazon Connect adapters and one through Twilio's
 * each end Completed with their recording playable in the simulator, its MD5 that of the file the vendor
 * served. Everything is real but the vendors: a Temporal dev server, the ingress over HTTP, a worker with
 * the real activities against the Genesys simulator, and a local host playing S3 (SigV4) and Twilio's
 * media host (HTTP Basic).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import axios from 'axios';
import { RecordingSources } from '../activities/conversations/recording-source';
import { DirectoryMapping } from '../activities/directory/mapping';
import { EventPublisher } from '../activities/genesys/publisher';
import { vendorAdapters } from '../client/ingress/adapters';
import { twilioSignature } from '../client/ingress/adapters/twilio-signature';
import { startIngress, type Ingress } from '../client/ingress/ingress';
import { BridgeClient } from '../client/library/bridge-client';
import { conversationWorkflowId } from '../client/library/conversation-events';
import { loadConfig, type BridgeConfig } from '../config';
import { createSimulator, defaultSeed, type Simulator } from '../simulator';
import type { ConversationResult, conversationWorkflow } from '../workflows/conversation';
import { createBridgeWorker } from '../workers/worker';
import { clientFor, inspect, md5Base64, toneWav } from './genesys-fixtures';
import { localEnvironment, uniqueTaskQueue, workflowBundle } from './harness';
import { startVendorMediaHost, type VendorMediaHost } from './vendor-media-host';
import {
  amazonConnectCall,
  contactRecord,
  twilioCall,
  twilioRecordingCallback,
} from './vendor-call-payloads';

const connectSource = 'connect-recordings';
const twilioSource = 'twilio-recordings';
const connectToken = 'vendor-recordings-connect-token';
const twilioAuthToken = 'vendor-recordings-twilio-auth-token';
const accountSid = `AC${'0123456789abcdef'.repeat(2)}`;
const bucket = 'amazon-connect-1234';
const s3Key = {
  accessKeyId: 'AKIAVENDORRECORDINGS',
  secretAccessKey: 'vendor/recordings/secret',
  region: 'us-west-2',
};

describe('call recordings through the vendor adapters, end to end', function () {
  this.timeout(180_000);
  let simulator: Simulator;
  let media: VendorMediaHost;
  let ingress: Ingress;
  let stopWorker: () => Promise<void>;
  const taskQueue = uniqueTaskQueue('vendor-recordings');

  before(async () => {
    simulator = await createSimulator({ organization: twoSourceOrganization() });
    media = await startVendorMediaHost({ s3: s3Key, twilio: { accountSid, authToken: twilioAuthToken } });
    const config = { ...operatorConfig(media), taskQueue };
    stopWorker = await runWorker(simulator, config);
    const client = localEnvironment().client;
    ingress = await startIngress({
      bridge: new BridgeClient(client, {
        taskQueue,
        agentSettings: { reorderWindowMs: 300 },
        // Nothing waits for a recording unless its source says so, as BYOI_EXPECT_RECORDINGS does here.
        conversationSettings: {
          reorderWindowMs: 300,
          wrapUpWaitMs: 1_000,
          uploadHeartbeatTimeoutMs: 5_000,
          expectRecording: 'never',
        },
        expectRecordingBySource: config.recordings.expect,
      }),
      temporal: client,
      sources: {
        [connectSource]: { tokens: [connectToken] },
        [twilioSource]: { twilioAuthTokens: [twilioAuthToken] },
      },
      adapters: vendorAdapters({
        amazonConnectContact: {
          agents: { [connectAgentUuid]: 'agent-1' },
          queues: { [connectQueueUuid]: 'Sales' },
        },
      }),
    });
  });
  after(async () => {
    await ingress?.close();
    await stopWorker?.();
    await media?.close();
    await simulator?.stop();
  });

  /** The conversation's outcome once its workflow ends. */
  function outcomeOf(source: string, interactionId: string): Promise<ConversationResult> {
    return localEnvironment()
      .client.workflow.getHandle<typeof conversationWorkflow>(conversationWorkflowId(source, interactionId))
      .result();
  }

  /** Genesys holds exactly one playable recording of the conversation: the served file, by size and MD5. */
  async function assertPlayable(outcome: ConversationResult, file: Buffer) {
    assert.equal(outcome.status, 'Completed', outcome.message);
    assert.equal(outcome.recording.state, 'uploaded');
    assert.equal(outcome.recording.uploaded?.md5, md5Base64(file));
    const conversation = await inspect<{
      recordings: { status: string; sizeBytes?: number; contentMd5: string }[];
    }>(simulator, `conversations/${outcome.conversationId}`);
    const playable = conversation.recordings.filter((recording) => recording.status === 'Success');
    assert.equal(playable.length, 1, 'one playable recording');
    assert.equal(playable[0]!.sizeBytes, file.length);
    assert.equal(playable[0]!.contentMd5, md5Base64(file));
  }

  it('uploads the recording an Amazon Connect contact record names in S3, for the call its contact events made', async () => {
    const contactId = randomUUID();
    const wav = toneWav(3);
    const key = `connect/example-instance/CallRecordings/2026/12/03/${contactId}_20261203T06:00_UTC.wav`;
    media.putObject(bucket, key, wav);
    const endedAtMs = Date.now() - 20_000;
    const post = (route: string, body: unknown) =>
      axios.post<{ accepted: number; records: unknown[]; outcomes: { eventId: string; outcome: string }[] }>(
        `${ingress.url}/v1/adapters/${connectSource}/amazon-connect/${route}`,
        body,
        { headers: { authorization: `Bearer ${connectToken}` }, validateStatus: () => true },
      );

    const events = amazonConnectCall({
      contactId,
      agentUuid: connectAgentUuid,
      queueUuid: connectQueueUuid,
      endedAtMs,
    });
    const call = await post('contact-events', events);
    assert.equal(call.status, 202, JSON.stringify(call.data));
    assert.equal(call.data.accepted, events.length);
    const record = contactRecord({
      contactId,
      location: `${bucket}/${key}`,
      updatedAtMs: endedAtMs + 12_000,
    });
    // A Kinesis consumer forwards the stream's records as it got them, a re-delivery among them.
    const recording = await post('contact-records', { Records: [record, record] });
    assert.equal(recording.status, 202, JSON.stringify(recording.data));
    assert.deepEqual(recording.data.records, [
      { record: 0, events: 1 },
      { record: 1, events: 1 },
    ]);
    assert.deepEqual(
      recording.data.outcomes.map((outcome) => [outcome.eventId, outcome.outcome]),
      [
        [`${contactId}/recording`, 'accepted'],
        [`${contactId}/recording`, 'duplicate'],
      ],
    );

    await assertPlayable(await outcomeOf(connectSource, contactId), wav);
    assert.deepEqual(
      media.served.filter((path) => path.startsWith(`/${bucket}/`)),
      [`/${bucket}/${key.replace(':', '%3A')}`],
      'fetched once, from S3, signed',
    );
  });

  it('uploads the recording of a Twilio recording status callback, for the call its TaskRouter callbacks made', async () => {
    const callSid = `CA${randomUUID().replace(/-/g, '')}`;
    const recordingSid = `RE${randomUUID().replace(/-/g, '')}`;
    const wav = toneWav(2);
    const recordingUrl = media.putTwilioRecording(recordingSid, wav);
    const endedAtMs = Date.now() - 20_000;
    const postForm = (route: string, params: Record<string, string>, token = twilioAuthToken) => {
      const url = `${ingress.url}/v1/adapters/${twilioSource}/twilio/${route}`;
      return axios.post<{ accepted: number; records: unknown[]; error?: string }>(
        url,
        new URLSearchParams(params).toString(),
        {
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            'x-twilio-signature': twilioSignature(token, url, params),
          },
          validateStatus: () => true,
        },
      );
    };

    for (const callback of twilioCall({ callSid, worker: 'agent-2', queue: 'Support', endedAtMs })) {
      const answer = await postForm('taskrouter', callback);
      assert.equal(answer.status, 202, JSON.stringify(answer.data));
      assert.equal(answer.data.accepted, 1, `${callback.EventType}: ${JSON.stringify(answer.data)}`);
    }
    const completed = twilioRecordingCallback({
      accountSid,
      callSid,
      recordingSid,
      recordingUrl,
      startedAtMs: endedAtMs - 15_000,
      durationSeconds: 15,
    });
    const forged = await postForm('recordings', completed, 'not-the-auth-token');
    assert.equal(forged.status, 401);
    assert.equal(forged.data.error, 'X-Twilio-Signature does not match the callback');
    const inProgress = await postForm('recordings', {
      ...completed,
      RecordingStatus: 'in-progress',
      RecordingDuration: '-1',
    });
    assert.deepEqual(inProgress.data.records, [
      { record: 0, ignored: 'RecordingStatus in-progress: the file is not ready yet' },
    ]);
    const answer = await postForm('recordings', completed);
    assert.equal(answer.status, 202, JSON.stringify(answer.data));
    assert.deepEqual(answer.data.records, [{ record: 0, events: 1 }]);

    await assertPlayable(await outcomeOf(twilioSource, callSid), wav);
    assert.deepEqual(
      media.served.filter((path) => path.includes('/Recordings/')),
      [`/2010-04-01/Accounts/${accountSid}/Recordings/${recordingSid}.wav`],
      'fetched once, from the media host, with the account’s credentials',
    );
  });
});

const connectAgentUuid = '87654321-4321-4321-4321-210987654321';
const connectQueueUuid = '22222222-2222-2222-2222-222222222222';

/** The simulator's organisation: agent-1 is Amazon Connect's (connectSource), agent-2 Twilio's. */
function twoSourceOrganization() {
  const seed = defaultSeed({ agents: 2, sourceName: connectSource });
  const twilioPresenceSource = { id: randomUUID(), name: twilioSource };
  seed.presenceSources.push(twilioPresenceSource);
  const twilioAgent = seed.users.find((user) => user.externalIds?.[0]?.externalKey === 'agent-2')!;
  twilioAgent.externalIds = [{ authorityName: twilioSource, externalKey: 'agent-2' }];
  twilioAgent.primarySourceId = twilioPresenceSource.id;
  return seed;
}

/** The settings an operator would give for these two sources (the S3 key aside: the SDK's chain finds it). */
function operatorConfig(media: VendorMediaHost) {
  return loadConfig({
    BYOI_RECORDING_ORIGINS: `${connectSource}:s3://${bucket},${twilioSource}:${media.url}`,
    BYOI_RECORDING_CREDENTIALS: `${twilioSource}:${accountSid}:${twilioAuthToken}`,
    BYOI_EXPECT_RECORDINGS: `${connectSource}:answered,${twilioSource}:always`,
    BYOI_S3_REGION: s3Key.region,
    BYOI_S3_ENDPOINT: media.url,
  });
}

/** A bridge worker as workers/main.ts builds one, the S3 key injected where the SDK's chain would find it. */
async function runWorker(simulator: Simulator, config: BridgeConfig) {
  const recordingSources = new RecordingSources({
    ...config.recordings,
    s3: {
      ...config.recordings.s3,
      credentials: { accessKeyId: s3Key.accessKeyId, secretAccessKey: s3Key.secretAccessKey },
    },
  });
  const client = clientFor(simulator);
  const environment = localEnvironment();
  const worker = await createBridgeWorker({
    connection: environment.nativeConnection,
    config,
    dependencies: {
      bridgeVersion: 'test',
      genesys: {
        client,
        publisher: new EventPublisher(client, { maxEventsPerBatch: 100, maxBatchBytes: 1_048_576 }),
      },
      mapping: new DirectoryMapping(client),
      temporal: environment.client,
      recordingSources,
    },
    workflowBundle: await workflowBundle(require.resolve('../workflows')),
  });
  const running = worker.run();
  return async () => {
    worker.shutdown();
    await running;
    recordingSources.close();
    client.close();
  };
}
