export * from './contracts/calls-v1.contracts';
export * from './contracts/cloud-event';
export * from './contracts/integration-event.mapper';
