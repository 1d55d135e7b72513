/** Every workflow the bridge's workers run (this file is the workflow bundle's entry point). */
export { selfCheckWorkflow } from './self-check';
export { directorySyncWorkflow } from './directory-sync';
export { agentWorkflow } from './agent';
export { conversationWorkflow } from './conversation';
