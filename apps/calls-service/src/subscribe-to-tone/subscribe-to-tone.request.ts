import { ClientContextRequest } from '../shared/client-context.request';

/** Body of subscribeToTone: `clientContext` and nothing else. */
export class SubscribeToToneRequest extends ClientContextRequest {}
