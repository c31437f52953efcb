import {
  createPlayPromptOperationFromDiscriminatorValue,
  createRecordOperationFromDiscriminatorValue,
} from '@microsoft/msgraph-sdk/models/index.js';
import type { MediaPrompt, PlayPromptOperation, RecordOperation } from '@microsoft/msgraph-sdk/models/index.js';
import type { AdditionalDataHolder, Parsable, SerializationWriter } from '@microsoft/kiota-abstractions';
import { WaveFile } from 'wavefile';
import { startCallbackEndpoint } from '../../examples/bot/callback-endpoint';
import type { CallbackEndpoint, CommsNotification } from '../../examples/bot/callback-endpoint';
import { createCall, graphAdapter, hangUp, playPrompt, postAction } from '../support/graph-sdk';
import { createPostgresDatabase } from '../support/test-databases';
import { OWNER, serviceForSuite } from '../support/test-app';

/** The SDK's recordResponse body, written as its generated serializer writes one. */
interface RecordResponsePostRequestBody extends AdditionalDataHolder, Parsable {
  clientContext?: string | null;
  bargeInAllowed?: boolean | null;
  maxRecordDurationInSeconds?: number | null;
  playBeep?: boolean | null;
  stopTones?: string[] | null;
}
function serializeRecordResponsePostRequestBody(
  writer: SerializationWriter,
  body: Partial<RecordResponsePostRequestBody> | null = {},
) {
  writer.writeBooleanValue('bargeInAllowed', body?.bargeInAllowed);
  writer.writeStringValue('clientContext', body?.clientContext);
  writer.writeNumberValue('maxRecordDurationInSeconds', body?.maxRecordDurationInSeconds);
  writer.writeBooleanValue('playBeep', body?.playBeep);
  writer.writeCollectionOfPrimitiveValues<string>('stopTones', body?.stopTones);
  writer.writeAdditionalData(body?.additionalData);
}

const ofCall = (callId: string) => (n: CommsNotification) =>
  n.resourceData['@odata.type'] === '#microsoft.graph.call' && n.resourceUrl.endsWith(callId);
const ofOperation = (id: string | null | undefined) => (n: CommsNotification) => n.resourceData.id === id;

/**
 * The decision logic of Microsoft's VoiceRecorderAndPlaybackBot sample,
 * ported: it waits for the call's `mediaState.audio` to be `active` before it
 * records, records the caller, downloads the recording with its access
 * token, plays it back, and hangs up once the playback completed. Every step
 * goes through the official SDK's request adapter and every trigger is a
 * verified callback, as the sample's are.
 */
async function voiceRecorderAndPlayback(
  serviceUrl: string,
  token: string,
  callbacks: CallbackEndpoint,
  steps: string[],
): Promise<{ callId: string; recording: Buffer }> {
  const graph = graphAdapter(serviceUrl, token);
  const created = await createCall(graph, {
    odataType: '#microsoft.graph.call',
    callbackUri: callbacks.url,
    requestedModalities: ['audio'],
    mediaConfig: { odataType: '#microsoft.graph.serviceHostedMediaConfig' },
    targets: [{ odataType: '#microsoft.graph.invitationParticipantInfo', identity: { user: { id: 'caller-1' } } }],
  });
  const callId = created!.id!;

  // The sample's trigger: the call's audio is active.
  const active = await callbacks.next(
    (n) => ofCall(callId)(n) && (n.resourceData.mediaState as { audio?: string } | null)?.audio === 'active',
  );
  steps.push(`audio ${(active.resourceData.mediaState as { audio: string }).audio} (${active.resourceData.state})`);

  const record = (await postAction<RecordResponsePostRequestBody, RecordOperation>(
    graph,
    callId,
    'microsoft.graph.recordResponse',
    { clientContext: 'record', bargeInAllowed: true, maxRecordDurationInSeconds: 1, playBeep: true, stopTones: ['#'] },
    serializeRecordResponsePostRequestBody,
    createRecordOperationFromDiscriminatorValue,
  ))!;
  const recorded = (await callbacks.next(ofOperation(record.id))).resourceData;
  steps.push(`recorded: ${String(recorded.status)}, ${String(recorded.completionReason)}`);

  const download = await fetch(String(recorded.recordingLocation), {
    headers: { Authorization: `Bearer ${String(recorded.recordingAccessToken)}` },
  });
  const recording = Buffer.from(await download.arrayBuffer());
  steps.push(`downloaded: ${download.status} ${download.headers.get('content-type')}`);

  // Played back from where the bot hosts it (the simulated media plane plays any https URI).
  const playback = (await playPrompt<PlayPromptOperation>(
    graph,
    callId,
    {
      clientContext: 'playback',
      prompts: [
        {
          odataType: '#microsoft.graph.mediaPrompt',
          additionalData: { mediaInfo: { uri: `https://bot.example.test/recordings/${record.id}.wav` } },
        } as MediaPrompt,
      ],
    },
    createPlayPromptOperationFromDiscriminatorValue,
  ))!;
  const played = (await callbacks.next(ofOperation(playback.id))).resourceData;
  steps.push(`played back: ${String(played.status)}`);

  await hangUp(graph, callId);
  await callbacks.next((n) => ofCall(callId)(n) && n.resourceData.state === 'terminated');
  steps.push('hung up');
  return { callId, recording };
}

describe("Microsoft's VoiceRecorderAndPlaybackBot, ported, through the SDK (HTTP, PostgreSQL)", () => {
  const suite = serviceForSuite(createPostgresDatabase, {
    SIMULATED_PROMPT_MS: '100',
    SIMULATED_CONNECT_MS: '200',
    OUTBOX_POLL_MS: '50',
    NOTIFIER_POLL_MS: '50',
  });
  let callbacks: CallbackEndpoint;

  beforeAll(async () => {
    callbacks = await startCallbackEndpoint({ serviceUrl: suite.service.url, appId: OWNER.appId });
  });
  afterAll(() => callbacks?.close());

  it('records once the audio is active, downloads the recording with its token, plays it back and hangs up', async () => {
    const steps: string[] = [];
    const { callId, recording } = await voiceRecorderAndPlayback(
      suite.service.url,
      suite.service.token(),
      callbacks,
      steps,
    );
    expect(steps).toEqual([
      'audio active (established)',
      'recorded: completed, maxRecordDurationReached',
      'downloaded: 200 audio/wav',
      'played back: completed',
      'hung up',
    ]);
    // Before the media was up the call said so: no mediaState while establishing.
    const establishing = callbacks.received.find((n) => ofCall(callId)(n) && n.resourceData.state === 'establishing');
    expect(establishing?.resourceData.mediaState).toBeNull();
    // The recording is a real one second of audio.
    const wav = new WaveFile(recording);
    expect((wav.getSamples(false, Int16Array) as unknown as Int16Array).length).toBe(8000);
    expect(callbacks.refused).toBe(0);
  });
});
