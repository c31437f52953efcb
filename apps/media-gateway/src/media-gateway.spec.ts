import { loadConfig } from '@calls/config';
import { mediaGatewayOptions } from './media-gateway';

const PRODUCTION = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://calls@db:5432/calls',
  AUTH_JWKS_URI: 'https://login.example.test/keys',
  AUTH_ISSUER: 'https://login.example.test/tenant/v2.0',
  AUTH_AUDIENCE: 'api://calls-service',
  NOTIFICATION_SIGNING_KEY_FILE: '/run/secrets/notification-key.pem',
  AMQP_URL: 'amqp://rabbitmq:5672',
};

describe('mediaGatewayOptions', () => {
  it('takes the broker, the exchanges and the gateway settings from the configuration', () => {
    const options = mediaGatewayOptions(
      loadConfig({
        AMQP_URL: 'amqp://rabbitmq:5672',
        AMQP_EXCHANGE: 'events',
        MEDIA_EXCHANGE: 'media',
        RTPENGINE_NG: '10.0.0.7:22222',
      }),
    );
    expect(options).toMatchObject({
      amqpUrl: 'amqp://rabbitmq:5672',
      eventsExchange: 'events',
      mediaExchange: 'media',
      rtpengineNg: '10.0.0.7:22222',
      rtpengineHttp: '10.0.0.7:22223',
      publicUrl: 'http://127.0.0.1:3100',
    });
  });

  it('refuses to run without RabbitMQ', () => {
    expect(() => mediaGatewayOptions(loadConfig({}))).toThrow('set AMQP_URL');
  });

  it('refuses an http public URL in production, where bots download recordings from it', () => {
    expect(() =>
      mediaGatewayOptions(loadConfig({ ...PRODUCTION, MEDIA_GATEWAY_PUBLIC_URL: 'http://media.example.test' })),
    ).toThrow('MEDIA_GATEWAY_PUBLIC_URL must be an https URL in production');
    expect(
      mediaGatewayOptions(loadConfig({ ...PRODUCTION, MEDIA_GATEWAY_PUBLIC_URL: 'https://media.example.test/' }))
        .publicUrl,
    ).toBe('https://media.example.test');
  });
});
