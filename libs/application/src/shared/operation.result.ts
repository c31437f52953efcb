import type { MediaOperationProps } from '@calls/domain';

/** What every media action answers: the operation as it stands after the command. */
export type OperationResult = Readonly<MediaOperationProps>;
