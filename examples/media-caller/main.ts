import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { mulaw } from 'alawmulaw';
import { dominantFrequency, RtpCaller, tone } from './rtp-caller';
import { PromptServer, wavFile } from './prompt-server';

const USAGE = `usage:
  npm run example:media-caller -- prompts [--port 8443] [--dir data/media-example]
      serves tone prompts over https with a self-signed certificate; start the
      gateway with NODE_EXTRA_CA_CERTS=<dir>/cert.pem so it trusts them
  npm run example:media-caller -- call <callId> [--gateway http://127.0.0.1:3100] [--seconds 60] [--out caller.wav]
      the SIP edge and the caller in one: hands the gateway the caller's SDP
      (MEDIA_EDGE_TOKEN from the environment), then prints what the caller
      hears every half second and writes it to a WAV file at the end`;

const fail = (message: string): never => {
  console.error(`${message}\n\n${USAGE}`);
  process.exit(2);
};

async function servePrompts(port: number, directory: string): Promise<void> {
  const server = await PromptServer.start({ port, directory });
  for (const hz of [440, 660]) {
    const url = server.serve(`/tone-${hz}.wav`, wavFile(tone(hz, 8000, 16000), 16000));
    console.log(`prompt: ${url} (8 s of ${hz} Hz)`);
  }
  console.log(`certificate: NODE_EXTRA_CA_CERTS=${server.certificateFile}`);
  process.once('SIGINT', () => void server.stop(true).then(() => process.exit(0)));
  process.once('SIGTERM', () => void server.stop(true).then(() => process.exit(0)));
}

async function call(callId: string, gateway: string, seconds: number, out: string): Promise<void> {
  const token = process.env.MEDIA_EDGE_TOKEN ?? fail("Set MEDIA_EDGE_TOKEN to the gateway's edge token.");
  const caller = await RtpCaller.open();
  const response = await fetch(`${gateway}/media/v1/calls/${callId}/answer`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ sdp: caller.offer() }),
  });
  const body = (await response.json()) as { sdp?: string; error?: { code: string; message: string } };
  if (!response.ok || !body.sdp) fail(`the gateway answered ${response.status}: ${JSON.stringify(body.error ?? body)}`);
  caller.answered(body.sdp!);
  console.log(`call ${callId}: media connected; listening for ${seconds} s (Ctrl-C ends it)`);
  let seen = 0;
  const report = setInterval(() => {
    const fresh = caller.audio().slice(seen);
    seen += fresh.length;
    const what = fresh.length > 10 ? `${Math.round(dominantFrequency(fresh) / 10) * 10} Hz` : 'silence';
    console.log(`${new Date().toISOString().slice(11, 23)}  ${String(fresh.length).padStart(3)} packets  ${what}`);
  }, 500);
  const finish = () => {
    clearInterval(report);
    const samples = mulaw.decode(Buffer.concat(caller.audio().map((packet) => packet.payload)));
    writeFileSync(out, wavFile(samples));
    console.log(`wrote ${out}: ${(samples.length / 8000).toFixed(2)} s of what the caller heard`);
    caller.close();
    process.exit(0);
  };
  setTimeout(finish, seconds * 1000);
  process.once('SIGINT', finish);
  process.once('SIGTERM', finish);
  // Like a phone, the caller keeps sending (silence), so the gateway's media timeout does not end the call.
  for (;;) await caller.sendAudio(new Int16Array(8000));
}

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      port: { type: 'string', default: '8443' },
      dir: { type: 'string', default: 'data/media-example' },
      gateway: { type: 'string', default: 'http://127.0.0.1:3100' },
      seconds: { type: 'string', default: '60' },
      out: { type: 'string', default: 'caller.wav' },
    },
  });
  const [command, callId] = positionals;
  if (command === 'prompts') return servePrompts(Number(values.port), resolve(values.dir!));
  if (command === 'call' && callId) return call(callId, values.gateway!, Number(values.seconds), resolve(values.out!));
  fail(command ? `unknown command or missing call id: ${positionals.join(' ')}` : 'no command');
}

main().catch((error: unknown) => fail(error instanceof Error ? error.message : String(error)));
