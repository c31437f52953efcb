import { UnknownOperationsError } from '../errors/domain.errors';
import type { CancelSelection } from './call.values';
import type { MediaOperation, NotCancelledOperationRef } from './media-operation';

/**
 * Which operations of the queue (running head first, then the queued) a
 * cancel ends. Graph's cancel is `{ scope: 'all' }`; the rest is this
 * service's extension: only the running one, only the queued ones, or
 * exactly the named ones, where a named operation the queue no longer holds
 * is reported as not cancelled with its status, and an id the call never
 * had is refused, since a typo must not pass for "already ended".
 */
export function selectForCancel(
  queue: readonly MediaOperation[],
  selection: CancelSelection,
): { targets: MediaOperation[]; notCancelled: NotCancelledOperationRef[] | null } {
  if ('scope' in selection) {
    const wanted = {
      all: () => true,
      current: (op: MediaOperation) => op.status === 'running',
      queued: (op: MediaOperation) => op.status === 'notStarted',
    }[selection.scope];
    return { targets: queue.filter(wanted), notCancelled: null };
  }
  const ids = [...new Set(selection.operationIds)];
  const queued = new Set(queue.map((op) => op.id));
  const unknown = ids.filter((id) => !queued.has(id) && !selection.statuses.has(id));
  if (unknown.length > 0) throw new UnknownOperationsError(unknown);
  return {
    targets: queue.filter((op) => ids.includes(op.id)),
    notCancelled: ids.filter((id) => !queued.has(id)).map((id) => ({ id, status: selection.statuses.get(id)! })),
  };
}
