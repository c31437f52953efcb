export interface TracingSettings {
  /** On when an OTLP endpoint is set (and OTEL_SDK_DISABLED is not true); the SDK reads the other OTEL_* itself. */
  readonly enabled: boolean;
  readonly serviceName: string | undefined;
}

/**
 * Tracing alone, for each app's tracing.ts, which must start before any
 * module loads (so this file imports nothing); loadConfig includes it.
 */
export function tracingSettings(env: Record<string, string | undefined> = process.env): TracingSettings {
  return {
    enabled:
      env.OTEL_SDK_DISABLED !== 'true' &&
      Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT),
    serviceName: env.OTEL_SERVICE_NAME || undefined,
  };
}
