/**
 * Errors the domain raises. Each carries a stable `reason` that outer layers
 * map to a Graph error code; the domain itself knows nothing of HTTP.
 */
export abstract class DomainError extends Error {
  abstract readonly reason: 'notFound' | 'notAllowed' | 'conflict' | 'invalid';
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export class CallNotFoundError extends DomainError {
  readonly reason = 'notFound';
  constructor(readonly callId: string) {
    super('Call not found.');
  }
}

export class OperationNotFoundError extends DomainError {
  readonly reason = 'notFound';
  constructor(readonly operationId: string) {
    super('Operation not found.');
  }
}

/** A selective cancel named operations the call does not have (unknown ids, or another call's). */
export class UnknownOperationsError extends DomainError {
  readonly reason = 'invalid';
  constructor(readonly operationIds: readonly string[]) {
    super(`operationIds names operations this call does not have: ${operationIds.join(', ')}.`);
  }
}

export class InvalidOperationTransitionError extends DomainError {
  readonly reason = 'invalid';
  constructor(operationId: string, from: string, to: string) {
    super(`Operation ${operationId} cannot go from ${from} to ${to}.`);
  }
}

/** Another writer changed the call since it was loaded (optimistic concurrency). */
export class ConcurrencyConflictError extends DomainError {
  readonly reason = 'conflict';
  constructor(readonly callId: string) {
    super(`Call ${callId} was changed by another request; retry.`);
  }
}
