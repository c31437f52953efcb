import { Controller, Get, Headers, Param, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Public } from '@calls/auth';
import { GraphHttpError } from '@calls/graph';
import { SimulatedRecordings } from './simulated-recordings';

/**
 * The simulated media plane's recordings, as the media gateway serves its
 * own (docs/media.md): only with `Authorization: Bearer <recordingAccessToken>`
 * (401 otherwise), 404 once expired. Not a Graph route: Graph hands out the
 * recording's location and token, and the media stack serves it.
 */
@Controller('media/v1/recordings')
export class SimulatedRecordingsController {
  constructor(private readonly recordings: SimulatedRecordings) {}

  @Public()
  @Get(':id')
  async download(
    @Param('id') id: string,
    @Headers('authorization') authorization: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Buffer> {
    const opened = await this.recordings.open(id, authorization);
    if (opened === 'gone') {
      throw new GraphHttpError(404, 'itemNotFound', 'No such recording: it never existed or has expired.');
    }
    if (opened === 'unauthorized') {
      throw new GraphHttpError(
        401,
        'InvalidAuthenticationToken',
        "Send the recording's access token: Authorization: Bearer <recordingAccessToken>.",
      );
    }
    void reply.header('content-type', 'audio/wav').header('cache-control', 'no-store');
    return opened;
  }
}
