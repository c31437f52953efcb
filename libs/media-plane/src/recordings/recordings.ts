import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { RecordingStore } from './recording-store';

const sha256 = (text: string) => createHash('sha256').update(text).digest();

/**
 * Recordings handed to bots: each is stored for `ttlSeconds` under a random
 * id, with an access token bound to it alone (Graph's recordingAccessToken,
 * sent back as `Authorization: Bearer <token>`), valid as long as the
 * recording is kept. Expired recordings are deleted by `prune`.
 */
export class Recordings {
  constructor(
    private readonly store: RecordingStore,
    /** The absolute base of the URLs handed out, or how to learn it once the server listens. */
    private readonly publicUrl: string | (() => string),
    private readonly ttlSeconds: number,
  ) {}

  async keep(
    callId: string,
    operationId: string,
    wav: Buffer,
  ): Promise<{ recordingLocation: string; recordingAccessToken: string }> {
    const id = randomUUID();
    const token = randomBytes(32).toString('base64url');
    await this.store.save({
      id,
      callId,
      operationId,
      wav,
      tokenSha256: sha256(token),
      expiresAt: new Date(Date.now() + this.ttlSeconds * 1000),
    });
    const base = typeof this.publicUrl === 'function' ? this.publicUrl() : this.publicUrl;
    return { recordingLocation: `${base}/media/v1/recordings/${id}`, recordingAccessToken: token };
  }

  /** The WAV, 'unauthorized' for a missing or wrong token, 'gone' for none (or an expired one). */
  async open(id: string, authorization: string | undefined): Promise<Buffer | 'unauthorized' | 'gone'> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return 'gone';
    const row = await this.store.find(id, new Date());
    if (!row) return 'gone';
    const token = /^Bearer (\S+)$/.exec(authorization ?? '')?.[1];
    if (!token || !timingSafeEqual(sha256(token), row.tokenSha256)) return 'unauthorized';
    return row.wav;
  }

  prune(): Promise<number> {
    return this.store.prune(new Date());
  }
}
