import { IsDefined, IsIn } from 'class-validator';
import type { RecordingStatus } from '@calls/domain';
import { ClientContextRequest } from '../shared/client-context.request';

/** Graph's values (https://learn.microsoft.com/en-us/graph/api/call-updaterecordingstatus). */
const RECORDING_STATUSES: readonly RecordingStatus[] = ['notRecording', 'recording', 'failed'];

/** Body of updateRecordingStatus: the status (required) and clientContext. */
export class UpdateRecordingStatusRequest extends ClientContextRequest {
  @IsDefined()
  @IsIn(RECORDING_STATUSES)
  status: RecordingStatus;
}
