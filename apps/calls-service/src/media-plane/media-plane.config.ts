export interface MediaPlaneSettings {
  /** `simulated` (in process, the default) or `broker` (a separate media plane over RabbitMQ). */
  readonly mode: 'simulated' | 'broker';
  /** Exchange the media plane reports to, and this service's queue on it. */
  readonly reportsExchange: string;
  readonly reportsQueue: string;
}

export function mediaPlaneSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): MediaPlaneSettings {
  const mode = env.MEDIA_PLANE || 'simulated';
  if (mode !== 'simulated' && mode !== 'broker')
    throw new Error(`MEDIA_PLANE must be simulated or broker, got '${mode}'.`);
  if (mode === 'broker' && !env.AMQP_URL) throw new Error('MEDIA_PLANE=broker needs AMQP_URL.');
  return {
    mode,
    reportsExchange: env.MEDIA_EXCHANGE || 'calls.media',
    reportsQueue: env.MEDIA_REPORTS_QUEUE || 'calls.media-reports',
  };
}
