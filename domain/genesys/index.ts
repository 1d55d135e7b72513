/** The Genesys wire contract, shared by the client, the publisher and the simulator. */
export * from './limits';
export * from './fields';
export * from './events';
export * from './api';
