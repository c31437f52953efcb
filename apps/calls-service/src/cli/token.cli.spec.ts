import { tokenCommand } from './token.cli';

describe('npm run token', () => {
  const base = ['--tenant', 't1', '--app', 'a1'];

  it('takes a negative --ttl as the README shows it (an expired token)', () => {
    for (const ttl of [['--ttl', '-60'], ['--ttl=-60']]) {
      const command = tokenCommand([...base, ...ttl]);
      expect(command).toMatchObject({ kind: 'issue', request: { tenantId: 't1', appId: 'a1', ttlSeconds: -60 } });
    }
  });

  it('issues with both calls roles and an hour by default', () => {
    expect(tokenCommand(base)).toEqual({
      kind: 'issue',
      request: {
        tenantId: 't1',
        appId: 'a1',
        roles: ['Calls.Initiate.All', 'Calls.AccessMedia.All'],
        scp: undefined,
        ttlSeconds: 3600,
        audience: undefined,
      },
    });
  });

  it('refuses a bad --ttl with one line', () => {
    expect(tokenCommand([...base, '--ttl', 'soon'])).toEqual({
      kind: 'refused',
      text: "--ttl must be a whole number of seconds, not 'soon' (a negative one gives an expired token)",
    });
    expect(tokenCommand([...base, '--ttl', '1.5'])).toMatchObject({ kind: 'refused' });
  });

  it('refuses an unknown option with one line naming it, not a stack trace', () => {
    const command = tokenCommand([...base, '--tennant', 'x']);
    expect(command.kind).toBe('refused');
    expect((command as { text: string }).text).toMatch(/^Unknown option '--tennant'.*\(npm run token -- --help\)$/);
    expect((command as { text: string }).text).not.toMatch(/\n/);
  });

  it('shows the usage when asked, or when the tenant or app is missing', () => {
    expect(tokenCommand(['--help'])).toMatchObject({ kind: 'usage', exitCode: 0 });
    expect(tokenCommand(['--tenant', 't1'])).toMatchObject({ kind: 'usage', exitCode: 2 });
  });
});
