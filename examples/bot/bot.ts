import type { GraphRequestAdapter } from '@microsoft/msgraph-sdk';
import {
  createCancelMediaProcessingOperationFromDiscriminatorValue,
  createPlayPromptOperationFromDiscriminatorValue,
} from '@microsoft/msgraph-sdk/models/index.js';
import type {
  Call,
  CancelMediaProcessingOperation,
  MediaPrompt,
  PlayPromptOperation,
} from '@microsoft/msgraph-sdk/models/index.js';
import type { CallbackEndpoint, CommsNotification } from './callback-endpoint';
import { cancelMediaProcessing, createCall, graphAdapter, hangUp, keepAlive, playPrompt } from './graph-calls';

export interface BotSettings {
  /** calls-service's base URL (Graph's would be https://graph.microsoft.com). */
  readonly serviceUrl: string;
  /** The bot's access token (an Entra ID app token; `npm run token` for the service's development issuer). */
  readonly token: string;
  /** The bot's application id: the `source` of its calls and the audience of its callbacks. */
  readonly appId: string;
  readonly callbacks: CallbackEndpoint;
  /** Where each step is told; console.log by default. */
  readonly log?: (line: string) => void;
}

/** What the scenario saw, for whoever runs it (the tutorial prints it, the CI test checks it). */
export interface BotRun {
  readonly callId: string;
  readonly prompt: PlayPromptOperation;
  readonly cancel: CancelMediaProcessingOperation;
  readonly promptEnded: CommsNotification;
  readonly terminated: CommsNotification;
}

const isCall = (callId: string, state: string) => (n: CommsNotification) =>
  n.resourceData['@odata.type'] === '#microsoft.graph.call' &&
  n.resourceUrl.endsWith(callId) &&
  n.resourceData.state === state;

/**
 * The first thing a bot does with the calls API, through the official
 * Graph SDK: place a call, play a prompt, cancel it (the media stops), keep
 * the call alive, hang up, and follow along on its callback endpoint.
 */
export async function runBot(settings: BotSettings): Promise<BotRun> {
  const log = settings.log ?? ((line: string) => console.log(line));
  const graph: GraphRequestAdapter = graphAdapter(settings.serviceUrl, settings.token);

  // 1. Place the call. The service answers 201 at once; "established" comes as a callback.
  const call: Call = {
    odataType: '#microsoft.graph.call',
    callbackUri: settings.callbacks.url,
    requestedModalities: ['audio'],
    mediaConfig: { odataType: '#microsoft.graph.serviceHostedMediaConfig' },
    source: {
      odataType: '#microsoft.graph.participantInfo',
      identity: {
        odataType: '#microsoft.graph.identitySet',
        application: { id: settings.appId, displayName: 'Example bot' },
      },
    },
    targets: [
      {
        odataType: '#microsoft.graph.invitationParticipantInfo',
        identity: {
          odataType: '#microsoft.graph.identitySet',
          user: { id: 'example-user', displayName: 'Example user' },
        },
      },
    ],
  };
  const created = await createCall(graph, call);
  const callId = created!.id!;
  log(`1. created call ${callId} (${created!.state})`);
  await settings.callbacks.next(isCall(callId, 'established'));
  log('   callback: established');

  // 2. Play a prompt: it is running when the request returns.
  const prompt = (await playPrompt<PlayPromptOperation>(
    graph,
    callId,
    {
      clientContext: 'welcome',
      prompts: [
        {
          odataType: '#microsoft.graph.mediaPrompt',
          // The SDK serializes a prompt list as the base `prompt` type and drops mediaInfo; sent as
          // additionalData it arrives (docs/api.md, "The Graph SDKs").
          additionalData: {
            mediaInfo: { '@odata.type': '#microsoft.graph.mediaInfo', uri: 'https://cdn.example.test/welcome.wav' },
          },
        } as MediaPrompt,
      ],
    },
    createPlayPromptOperationFromDiscriminatorValue,
  ))!;
  // (The SDK reads `status` through enum member names and leaves Graph's lowercase values undefined.)
  log(`2. playing prompt ${prompt.id}`);

  // 3. Cancel it: the cancel completes at once, and the prompt's operation ends failed, resultInfo 400/8508.
  const cancel = (await cancelMediaProcessing<CancelMediaProcessingOperation>(
    graph,
    callId,
    { clientContext: 'caller pressed 0' },
    createCancelMediaProcessingOperationFromDiscriminatorValue,
  ))!;
  const ended = (cancel.additionalData?.cancelledOperations ?? []) as { id: string }[];
  log(`3. cancel ${cancel.id} ended ${ended.map((op) => op.id).join(', ') || 'nothing'}`);
  const promptEnded = await settings.callbacks.next(
    (n) => n.resourceData['@odata.type'] === '#microsoft.graph.playPromptOperation' && n.resourceData.id === prompt.id,
  );
  const result = promptEnded.resourceData.resultInfo as { code: number; subcode: number };
  log(`   callback: prompt ${promptEnded.resourceData.status}, resultInfo ${result.code}/${result.subcode}`);

  // 4. Keep the call alive (Graph ends calls without one at least every 45 minutes).
  await keepAlive(graph, callId);
  log('4. keepAlive sent');

  // 5. Hang up; "terminated" comes as a callback.
  await hangUp(graph, callId);
  const terminated = await settings.callbacks.next(isCall(callId, 'terminated'));
  log('5. hung up; callback: terminated');
  return { callId, prompt, cancel, promptEnded, terminated };
}
