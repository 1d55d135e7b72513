/**
 * A stack whose payloads are sealed, for the tests that look for customer data: a dev server of its own
 * (a SQLite file, a Web UI whose namespace codec endpoint is the codec server), a simulator, a sealing bridge
 * worker, the codec server, and the customer's call and email run through them to completion.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import pino from 'pino';
import { startCodecServer, type CodecServer } from '../client/codec-server/codec-server';
import { conversationWorkflowId, sendInteractionEvent } from '../client/library/conversation-events';
import { bridgeDataConverter } from '../config/data-converter';
import { EncryptionCodec } from '../config/payload-codec';
import type { conversationWorkflow, ConversationWorkflowSettings } from '../workflows/conversation';
import { runBridgeWorker } from './bridge-fixtures';
import { startTestSimulator } from './genesys-fixtures';
import { customerInteractions, freshKeys } from './customer-fixtures';
import { freePort, startDevServer, uniqueTaskQueue } from './harness';

const settings: Partial<ConversationWorkflowSettings> = {
  reorderWindowMs: 500,
  wrapUpWaitMs: 2_000,
  expectRecording: 'never',
};

/** A running sealed stack, the customer's conversations completed in it. */
export interface SealedStack {
  environment: TestWorkflowEnvironment;
  /** A client that seals and opens with the bridge's keys. */
  client: Client;
  codecServer: CodecServer;
  /** The one token the codec server knows. */
  token: string;
  /** The Web UI, e.g. `http://127.0.0.1:41234`: the one origin the codec server answers in a browser. */
  webUi: string;
  /** The dev server's SQLite file. */
  dbFile: string;
  /** The codec server's log lines. */
  auditLines: string[];
  /** The call's and the email's conversation workflow ids. */
  workflowIds: { call: string; email: string };
  stop(): Promise<void>;
}

/** Starts a sealed stack and runs the customer's call and email from `source` through it. */
export async function startSealedStack(source: string): Promise<SealedStack> {
  const keys = freshKeys();
  const token = randomBytes(24).toString('base64url');
  const taskQueue = uniqueTaskQueue('sealed');
  const directory = mkdtempSync(path.join(tmpdir(), 'byoi-sealed-'));
  const dbFile = path.join(directory, 'temporal.sqlite');
  const auditLines: string[] = [];
  const uiPort = await freePort();
  const codecPort = await freePort();
  const webUi = `http://127.0.0.1:${uiPort}`;
  const started: { stop(): Promise<unknown> }[] = [];
  const stop = async () => {
    for (const part of started.reverse()) await part.stop();
    rmSync(directory, { recursive: true, force: true });
  };
  try {
    const environment = await startDevServer(uiPort, {
      dbFilename: dbFile,
      codecEndpoint: `http://127.0.0.1:${codecPort}`,
    });
    started.push({ stop: () => environment.teardown() });
    const sim = await startTestSimulator({ agents: 5, sourceName: source });
    started.push({ stop: () => sim.simulator.stop() });
    const bridge = await runBridgeWorker(sim, taskQueue, { environment, codecKeys: keys });
    started.push(bridge);
    const client = new Client({
      connection: environment.connection,
      dataConverter: bridgeDataConverter(keys),
    });
    const codecServer = await startCodecServer({
      codec: new EncryptionCodec(keys),
      namespace: 'default',
      tokens: [token],
      origins: [webUi],
      host: '127.0.0.1',
      port: codecPort,
      logger: pino({ level: 'info' }, { write: (line: string) => void auditLines.push(line) }),
    });
    started.push({ stop: () => codecServer.close() });
    const { call, email } = customerInteractions(source);
    for (const events of [call, email]) {
      for (const event of events) await sendInteractionEvent(client, taskQueue, event, settings);
    }
    const workflowIds = {
      call: conversationWorkflowId(source, call[0]!.interactionId),
      email: conversationWorkflowId(source, email[0]!.interactionId),
    };
    for (const workflowId of Object.values(workflowIds)) {
      const outcome = await client.workflow.getHandle<typeof conversationWorkflow>(workflowId).result();
      assert.equal(outcome.status, 'Completed', `${workflowId}: ${outcome.message ?? ''}`);
    }
    return { environment, client, codecServer, token, webUi, dbFile, auditLines, workflowIds, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
