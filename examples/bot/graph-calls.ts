import {
  AllowedHostsValidator,
  BaseBearerTokenAuthenticationProvider,
  HttpMethod,
  RequestInformation,
} from '@microsoft/kiota-abstractions';
import type {
  AccessTokenProvider,
  AdditionalDataHolder,
  ModelSerializerFunction,
  Parsable,
  ParsableFactory,
  SerializationWriter,
} from '@microsoft/kiota-abstractions';
import { GraphRequestAdapter } from '@microsoft/msgraph-sdk';
import {
  createCallFromDiscriminatorValue,
  serializeCall,
  serializePrompt,
} from '@microsoft/msgraph-sdk/models/index.js';
import type { Call, Prompt } from '@microsoft/msgraph-sdk/models/index.js';
import { createODataErrorFromDiscriminatorValue } from '@microsoft/msgraph-sdk/models/oDataErrors/index.js';
import type { ODataError } from '@microsoft/msgraph-sdk/models/oDataErrors/index.js';

/*
 * The official SDK's request pipeline, as its generated request builders use
 * it. The fluent builders under `communications/` ship in a package that the
 * npm registry does not carry, so the few used here are spelled out with the
 * same URL templates (from Graph's metadata) and the same body serializers:
 * each writes its properties, then `additionalData`, exactly as generated.
 * Models, serializers and parsers are the SDK's own.
 */

const CALL = '{+baseurl}/communications/calls/{call%2Did}';

/** The SDK's adapter pointed at the service, sending the bot's token to the service's host only. */
export function graphAdapter(serviceUrl: string, accessToken: string): GraphRequestAdapter {
  const tokens: AccessTokenProvider = {
    getAuthorizationToken: async () => accessToken,
    getAllowedHostsValidator: () => new AllowedHostsValidator(new Set([new URL(serviceUrl).hostname])),
  };
  const adapter = new GraphRequestAdapter(new BaseBearerTokenAuthenticationProvider(tokens));
  adapter.baseUrl = `${serviceUrl}/v1.0`;
  return adapter;
}

export interface PlayPromptPostRequestBody extends AdditionalDataHolder, Parsable {
  clientContext?: string | null;
  prompts?: Prompt[] | null;
}

export interface CancelMediaProcessingPostRequestBody extends AdditionalDataHolder, Parsable {
  clientContext?: string | null;
}

export function serializePlayPromptPostRequestBody(
  writer: SerializationWriter,
  body: Partial<PlayPromptPostRequestBody> | null = {},
) {
  writer.writeStringValue('clientContext', body?.clientContext);
  writer.writeCollectionOfObjectValues<Prompt>('prompts', body?.prompts, serializePrompt);
  writer.writeAdditionalData(body?.additionalData);
}

export function serializeCancelMediaProcessingPostRequestBody(
  writer: SerializationWriter,
  body: Partial<CancelMediaProcessingPostRequestBody> | null = {},
) {
  writer.writeStringValue('clientContext', body?.clientContext);
  writer.writeAdditionalData(body?.additionalData);
}

function post<T extends Parsable>(
  adapter: GraphRequestAdapter,
  template: string,
  callId: string,
  body: T | undefined,
  serializer: ModelSerializerFunction<T> | undefined,
): RequestInformation {
  const info = new RequestInformation(HttpMethod.POST, template);
  info.pathParameters['call%2Did'] = callId;
  info.headers.tryAdd('Accept', 'application/json');
  if (body && serializer) info.setContentFromParsable(adapter, 'application/json', body, serializer);
  return info;
}

const errors = { XXX: createODataErrorFromDiscriminatorValue as ParsableFactory<Parsable> };

/** `communications.calls.post(call)`: answers the new call (201). */
export function createCall(adapter: GraphRequestAdapter, call: Call): Promise<Call | undefined> {
  const info = new RequestInformation(HttpMethod.POST, '{+baseurl}/communications/calls');
  info.headers.tryAdd('Accept', 'application/json');
  info.setContentFromParsable(adapter, 'application/json', call, serializeCall);
  return adapter.send<Call>(info, createCallFromDiscriminatorValue, errors);
}

/** `calls.byCallId(id).delete()`: hangs up (204). */
export function hangUp(adapter: GraphRequestAdapter, callId: string): Promise<void> {
  const info = new RequestInformation(HttpMethod.DELETE, CALL);
  info.pathParameters['call%2Did'] = callId;
  return adapter.sendNoResponseContent(info, errors);
}

/** `calls.byCallId(id).playPrompt.post(body)`. */
export function playPrompt<R extends Parsable>(
  adapter: GraphRequestAdapter,
  callId: string,
  body: PlayPromptPostRequestBody,
  parse: ParsableFactory<R>,
): Promise<R | undefined> {
  return postAction(adapter, callId, 'playPrompt', body, serializePlayPromptPostRequestBody, parse);
}

/** `calls.byCallId(id).cancelMediaProcessing.post(body)`. */
export function cancelMediaProcessing<R extends Parsable>(
  adapter: GraphRequestAdapter,
  callId: string,
  body: CancelMediaProcessingPostRequestBody,
  parse: ParsableFactory<R>,
): Promise<R | undefined> {
  return postAction(
    adapter,
    callId,
    'cancelMediaProcessing',
    body,
    serializeCancelMediaProcessingPostRequestBody,
    parse,
  );
}

/**
 * POSTs a bound action by the path the bot names: `playPrompt`, or its
 * namespace-qualified `microsoft.graph.playPrompt`, as the .NET
 * Communications SDK posts it. Both are served alike.
 */
export function postAction<T extends Parsable, R extends Parsable>(
  adapter: GraphRequestAdapter,
  callId: string,
  action: string,
  body: T,
  serializer: ModelSerializerFunction<T>,
  parse: ParsableFactory<R>,
): Promise<R | undefined> {
  return adapter.send<R>(post(adapter, `${CALL}/${action}`, callId, body, serializer), parse, errors);
}

/** `calls.byCallId(id).keepAlive.post()`: no body, no content. */
export function keepAlive(adapter: GraphRequestAdapter, callId: string): Promise<void> {
  return adapter.sendNoResponseContent(post(adapter, `${CALL}/keepAlive`, callId, undefined, undefined), errors);
}

/** `calls.byCallId(id).operations.get({ queryParameters: { top } })`, or the nextLink a page gave. */
export function listOperations<R extends Parsable>(
  adapter: GraphRequestAdapter,
  target: { callId: string; top?: number } | { nextLink: string },
  parse: ParsableFactory<R>,
): Promise<R | undefined> {
  const info = new RequestInformation(HttpMethod.GET, `${CALL}/operations{?%24top}`);
  // As the generated `withUrl(nextLink)` does: a raw URL replaces the template.
  if ('nextLink' in target) info.pathParameters['request-raw-url'] = target.nextLink;
  else {
    info.pathParameters['call%2Did'] = target.callId;
    if (target.top !== undefined) info.queryParameters['%24top'] = target.top;
  }
  info.headers.tryAdd('Accept', 'application/json');
  return adapter.send<R>(info, parse, errors);
}

/** The ODataError an SDK call threw, or null when it succeeded. */
export function sdkError(call: Promise<unknown>): Promise<ODataError | null> {
  return call.then(
    () => null,
    (thrown: unknown) => thrown as ODataError,
  );
}
