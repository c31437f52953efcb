import { ClientContextRequest } from '../shared/client-context.request';

/** Body of cancelMediaProcessing: `clientContext` and nothing else. */
export class CancelMediaProcessingRequest extends ClientContextRequest {}
