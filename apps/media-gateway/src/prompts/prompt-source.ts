import { WaveFile } from 'wavefile';

/**
 * Why a prompt could not be played, as the resultInfo its operation fails
 * with. Graph's own pages list no code for these; the codes are those of
 * Microsoft's media stack that Graph's 8508 and 8515 come from, as its Call
 * Automation SDK names them (Azure/azure-sdk-for-java,
 * sdk/communication/azure-communication-callautomation/.../models/events/ReasonCodeName.java:
 * Play.DOWNLOAD_FAILED = 8536, Play.INVALID_FILE_FORMAT = 8535), with 400
 * as the code, as every failed media action there carries. See docs/media.md.
 */
export class PromptError extends Error {
  constructor(
    readonly kind: 'download' | 'format',
    detail: string,
  ) {
    super(detail);
  }

  get resultInfo(): { code: number; subcode: number; message: string } {
    return this.kind === 'download'
      ? { code: 400, subcode: 8536, message: `Action failed, file could not be downloaded. ${this.message}` }
      : { code: 400, subcode: 8535, message: `Action failed, file format is invalid. ${this.message}` };
  }
}

export interface PromptSourceSettings {
  /** Largest file fetched; a longer body is cut off and fails the prompt. */
  readonly maxBytes: number;
  /** The whole fetch, redirects and body included. */
  readonly timeoutMs: number;
  readonly maxRedirects?: number;
  /** Files kept by resourceId, and their total size. */
  readonly cacheEntries?: number;
  readonly cacheBytes?: number;
  /** The WHATWG fetch to use: the global one (which trusts NODE_EXTRA_CA_CERTS) unless a test gives its own. */
  readonly fetch?: typeof fetch;
}

/** A prompt ready for rtpengine: the file's bytes and how long it plays. */
export interface PromptAudio {
  readonly wav: Buffer;
  readonly durationMs: number;
}

/**
 * Fetches prompt files and checks they are audio the gateway plays: WAV,
 * mono, 16-bit PCM at 8 or 16 kHz (the format Microsoft documents for
 * prompts) or G.711 (A-law, µ-law) at 8 kHz. rtpengine decodes anything its
 * ffmpeg reads, but only these are tested here. A prompt with a `resourceId`
 * is kept under it, as Graph uses it ("the unique identifier for the
 * resource", its cache key): a second prompt with the same id is not fetched
 * again, nor while the first is still loading (a hundred calls starting the
 * same prompt at once fetch and convert it once). Least recently used files
 * go first, bounded in count and bytes.
 */
export class PromptSource {
  private readonly cache = new Map<string, PromptAudio>();
  /** Loads under way by resourceId: prompts that ask for one meanwhile wait for it instead of fetching it again. */
  private readonly loading = new Map<string, Promise<PromptAudio>>();
  private cachedBytes = 0;
  private readonly maxRedirects: number;
  private readonly cacheEntries: number;
  private readonly cacheBytes: number;

  constructor(private readonly settings: PromptSourceSettings) {
    this.maxRedirects = settings.maxRedirects ?? 3;
    this.cacheEntries = settings.cacheEntries ?? 256;
    this.cacheBytes = settings.cacheBytes ?? 256 * 1024 * 1024;
  }

  async load(prompt: { readonly uri: string; readonly resourceId?: string }): Promise<PromptAudio> {
    const key = prompt.resourceId;
    const cached = key === undefined ? undefined : this.cache.get(key);
    if (cached && key !== undefined) {
      this.cache.delete(key); // re-inserted: most recently used last
      this.cache.set(key, cached);
      return cached;
    }
    if (key === undefined) return checkAudio(await this.fetch(prompt.uri));
    const pending = this.loading.get(key);
    if (pending) return pending;
    const load = this.fetch(prompt.uri)
      .then((bytes) => {
        const audio = checkAudio(bytes);
        this.keep(key, audio);
        return audio;
      })
      .finally(() => this.loading.delete(key));
    this.loading.set(key, load);
    return load;
  }

  private keep(key: string, audio: PromptAudio): void {
    if (audio.wav.length > this.cacheBytes) return;
    this.cache.set(key, audio);
    this.cachedBytes += audio.wav.length;
    for (const [oldest, entry] of this.cache) {
      if (this.cache.size <= this.cacheEntries && this.cachedBytes <= this.cacheBytes) break;
      this.cache.delete(oldest);
      this.cachedBytes -= entry.wav.length;
    }
  }

  private async fetch(uri: string): Promise<Buffer> {
    const signal = AbortSignal.timeout(this.settings.timeoutMs);
    let url = uri;
    for (let hop = 0; ; hop++) {
      if (!url.startsWith('https://')) throw new PromptError('download', `${url} is not an https URL.`);
      let response: Response;
      try {
        response = await (this.settings.fetch ?? fetch)(url, { redirect: 'manual', signal });
      } catch (error) {
        const cause = (error as Error & { cause?: Error }).cause?.message ?? (error as Error).message;
        throw new PromptError('download', signal.aborted ? `No file within ${this.settings.timeoutMs} ms.` : cause);
      }
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location) {
        await response.body?.cancel();
        if (hop >= this.maxRedirects) throw new PromptError('download', `More than ${this.maxRedirects} redirects.`);
        url = new URL(location, url).toString();
        continue;
      }
      if (!response.ok) {
        await response.body?.cancel();
        throw new PromptError('download', `The server answered ${response.status}.`);
      }
      return this.readBounded(response, signal);
    }
  }

  private async readBounded(response: Response, signal: AbortSignal): Promise<Buffer> {
    const max = this.settings.maxBytes;
    if (Number(response.headers.get('content-length') ?? 0) > max) {
      await response.body?.cancel();
      throw new PromptError('download', `The file is larger than ${max} bytes.`);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of response.body ?? []) {
        size += chunk.length;
        // Leaving the loop cancels the rest of the body.
        if (size > max) throw new PromptError('download', `The file is larger than ${max} bytes.`);
        chunks.push(Buffer.from(chunk));
      }
    } catch (error) {
      if (error instanceof PromptError) throw error;
      throw new PromptError(
        'download',
        signal.aborted ? `No file within ${this.settings.timeoutMs} ms.` : String(error),
      );
    }
    return Buffer.concat(chunks);
  }
}

const PCM = 1;
const ALAW = 6;
const MULAW = 7;

/**
 * The rate the gateway hands rtpengine every prompt at. rtpengine 10.5's
 * player sends a file's decoded audio in bursts whose size depends on the
 * file's format: measured at the caller, the gaps between packets had a p99
 * of 116 ms for an 8 kHz 16-bit file (263 ms for µ-law), 38 ms at 16 kHz and
 * 21 ms at 24 kHz and at 48 kHz. rtpengine decodes the whole file before it
 * answers `play media`, so a larger file answers later: 20 prompts of 20 s
 * at once were all playing after 365 ms at 24 kHz, 667 ms at 48 kHz. It
 * resamples to the call's 8 kHz G.711 itself.
 */
export const ENGINE_SAMPLE_RATE = 24_000;

/** The file as rtpengine gets it (mono 16-bit PCM at ENGINE_SAMPLE_RATE), or a PromptError naming what is wrong with it. */
export function checkAudio(bytes: Buffer): PromptAudio {
  let wav: WaveFile;
  try {
    wav = new WaveFile(bytes);
  } catch (error) {
    throw new PromptError('format', `Not a WAV file (${(error as Error).message}).`);
  }
  const fmt = wav.fmt as { audioFormat: number; numChannels: number; sampleRate: number; bitsPerSample: number };
  const data = wav.data as { chunkSize: number };
  const described = `format ${fmt.audioFormat}, ${fmt.numChannels} channels, ${fmt.sampleRate} Hz, ${fmt.bitsPerSample} bits`;
  const pcm = fmt.audioFormat === PCM && fmt.bitsPerSample === 16 && [8000, 16000].includes(fmt.sampleRate);
  const g711 = [ALAW, MULAW].includes(fmt.audioFormat) && fmt.bitsPerSample === 8 && fmt.sampleRate === 8000;
  if (fmt.numChannels !== 1 || !(pcm || g711)) {
    throw new PromptError('format', `Expected mono 16-bit PCM at 8 or 16 kHz, or G.711 at 8 kHz; got ${described}.`);
  }
  // Read before the G.711 conversion, which rebuilds the header.
  const { sampleRate, audioFormat } = fmt;
  if (audioFormat === MULAW) wav.fromMuLaw();
  if (audioFormat === ALAW) wav.fromALaw();
  const samples = wav.getSamples(false, Int16Array) as unknown as Int16Array;
  if (samples.length === 0 || data.chunkSize === 0) throw new PromptError('format', 'The file holds no audio.');
  const upsampled = resample(samples, sampleRate, ENGINE_SAMPLE_RATE);
  const engine = new WaveFile();
  engine.fromScratch(1, ENGINE_SAMPLE_RATE, '16', upsampled);
  return { wav: Buffer.from(engine.toBuffer()), durationMs: Math.round((samples.length / sampleRate) * 1000) };
}

/**
 * Linear interpolation from `from` Hz to a higher `to` (3x from 8 kHz, 1.5x
 * from 16 kHz): it adds nothing above the source's band that rtpengine's own
 * resampling to the call's 8 kHz does not filter out.
 */
export function resample(samples: Int16Array, from: number, to: number): Int16Array {
  const out = new Int16Array(Math.round((samples.length * to) / from));
  const last = samples.length - 1;
  for (let i = 0; i < out.length; i++) {
    const position = (i * from) / to;
    const at = Math.min(Math.floor(position), last);
    const next = Math.min(at + 1, last);
    out[i] = Math.round(samples[at] + (samples[next] - samples[at]) * (position - at));
  }
  return out;
}
