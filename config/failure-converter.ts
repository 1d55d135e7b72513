/**
 * The failure converter of a process whose payloads are sealed: a failure's message and stack trace go
 * into its encoded attributes, a payload the codec seals, instead of the history's plain text (a refused
 * event's message names the conversation it refused). Loaded by path: the worker bundles it into the
 * workflows' sandbox too.
 */
import { DefaultFailureConverter } from '@temporalio/common';

/** The failure converter that moves messages and stack traces into sealed payloads. */
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
