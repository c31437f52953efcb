import { parseArgs } from 'node:util';
import { DevTokenIssuer } from '@calls/auth';
import { loadConfig } from '@calls/config';

const usage = `Usage: npm run token -- --tenant <tenantId> --app <appId> [--roles A,B] [--scp scopes] [--ttl seconds] [--aud audience]
Prints a bearer token of the development issuer, which the service accepts when started without AUTH_JWKS_URI.`;

function main(): void {
  const { values } = parseArgs({
    options: {
      tenant: { type: 'string' },
      app: { type: 'string' },
      roles: { type: 'string', default: 'Calls.Initiate.All,Calls.AccessMedia.All' },
      scp: { type: 'string' },
      ttl: { type: 'string', default: '3600' },
      aud: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help || !values.tenant || !values.app) {
    console.error(usage);
    process.exit(values.help ? 0 : 2);
  }
  const ttlSeconds = Number(values.ttl);
  if (!Number.isInteger(ttlSeconds)) {
    console.error('--ttl must be a whole number of seconds (negative gives an already expired token)');
    process.exit(2);
  }
  const issuer = DevTokenIssuer.forDataDir(loadConfig().auth.dataDir);
  const roles = values.roles
    .split(',')
    .map((role) => role.trim())
    .filter(Boolean);
  console.log(
    issuer.issue({
      tenantId: values.tenant,
      appId: values.app,
      roles,
      scp: values.scp,
      ttlSeconds,
      audience: values.aud,
    }),
  );
}

main();
