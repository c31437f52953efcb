import { Inject, Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { MemoryRecordingStore, Recordings } from '@calls/media-plane';
import type { MediaPlaneSettings } from '@calls/config';

export const SIMULATED_MEDIA_PLANE_SETTINGS = Symbol('SIMULATED_MEDIA_PLANE_SETTINGS');
export const PUBLIC_BASE_URL = Symbol('PUBLIC_BASE_URL');

/**
 * The recordings of the embedded default's simulated media plane: real WAV
 * files, kept in this process's memory for RECORDING_TTL_S and served by
 * this service at `{base}/media/v1/recordings/{id}` to their access token
 * alone, so a bot's download path works on `npm start` as it does against
 * the media gateway. The base is PUBLIC_BASE_URL, else the address the
 * service listens on (learnt once it listens).
 */
@Injectable()
export class SimulatedRecordings extends Recordings {
  private readonly memory: MemoryRecordingStore;

  constructor(
    @Inject(SIMULATED_MEDIA_PLANE_SETTINGS) settings: MediaPlaneSettings['simulated'],
    @Inject(PUBLIC_BASE_URL) publicBaseUrl: string | undefined,
    adapterHost: HttpAdapterHost,
  ) {
    const store = new MemoryRecordingStore();
    super(store, () => publicBaseUrl?.replace(/\/+$/, '') ?? listeningUrl(adapterHost), settings.recordingTtlSeconds);
    this.memory = store;
  }

  override async keep(callId: string, operationId: string, wav: Buffer) {
    // Expired recordings go as new ones come: memory holds at most a TTL's worth.
    await this.memory.prune(new Date());
    return super.keep(callId, operationId, wav);
  }
}

/** `http://127.0.0.1:<port>` (or the host it is bound to): where this process answers. */
function listeningUrl(adapterHost: HttpAdapterHost): string {
  const server = adapterHost.httpAdapter.getHttpServer() as Server;
  const address = server.address() as AddressInfo | null;
  if (!address) throw new Error('the service does not listen yet: no URL for a recording');
  const host = ['0.0.0.0', '::', ''].includes(address.address) ? '127.0.0.1' : address.address;
  return `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
}
