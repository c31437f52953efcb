import { Parser } from '@asyncapi/parser';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALL_CALLS_V1_TYPES } from './calls-v1.contracts';

describe('asyncapi.yaml', () => {
  it('is a valid AsyncAPI 3 document that names exactly the event types the code can publish', async () => {
    const source = readFileSync(join(__dirname, 'asyncapi.yaml'), 'utf8');
    const { document, diagnostics } = await new Parser().parse(source);
    const errors = diagnostics.filter((d) => d.severity === 0);
    expect(errors.map((e) => `${e.path.join('.')}: ${e.message}`)).toEqual([]);
    expect(document?.version()).toBe('3.0.0');
    const addresses = document!
      .channels()
      .all()
      .map((channel) => channel.address());
    expect([...addresses].sort()).toEqual([...ALL_CALLS_V1_TYPES].sort());
    const messageNames = document!
      .allMessages()
      .all()
      .map((message) => message.name());
    expect([...messageNames].sort()).toEqual([...ALL_CALLS_V1_TYPES].sort());
  });
});
