/**
 * The workflow-task timeout of agent and conversation workflows: a minute, not Temporal's 10 s default.
 *
 * A worker takes up to 500 workflow tasks at once (a local activity holds its task while it publishes) and
 * runs their activations on one thread. After a worker is killed, the other replays the dead one's
 * workflows from their first event, some 45 ms of CPU each on this machine: with 10 s, tasks still queued
 * behind those replays timed out, went back to the task queue, lost their cached state and replayed again,
 * and a local activity whose publish had gone through ran again on the other worker. In a seed chaos run's
 * settle, 4,500 workflow tasks were still backlogged and half the events Genesys received were duplicates.
 * The cost: a task in flight on a killed worker waits this long before another takes it.
 */
export const entityWorkflowTaskTimeout = '1 minute';
