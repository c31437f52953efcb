import { parseArgs } from 'node:util';
import { DevTokenIssuer } from '@calls/auth';
import type { DevTokenRequest } from '@calls/auth';
import { loadConfig } from '@calls/config';

const usage = `Usage: npm run token -- --tenant <tenantId> --app <appId> [--roles A,B] [--scp scopes] [--ttl seconds] [--aud audience]
Prints a bearer token of the development issuer, which the service accepts when started without AUTH_JWKS_URI.`;

const OPTIONS = {
  tenant: { type: 'string' },
  app: { type: 'string' },
  roles: { type: 'string', default: 'Calls.Initiate.All,Calls.AccessMedia.All' },
  scp: { type: 'string' },
  ttl: { type: 'string', default: '3600' },
  aud: { type: 'string' },
  help: { type: 'boolean', default: false },
} as const;

/** What the command line asks for: a token, the usage, or a one-line refusal. */
export type TokenCommand =
  | { readonly kind: 'issue'; readonly request: DevTokenRequest }
  | { readonly kind: 'usage'; readonly exitCode: 0 | 2; readonly text: string }
  | { readonly kind: 'refused'; readonly text: string };

/**
 * node's parseArgs reads `--ttl -60` as an option `-6`: a value that starts
 * with a minus sign is joined to its option first (`--ttl=-60`), which it
 * reads as meant.
 */
function joinNegativeValues(args: readonly string[]): string[] {
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const name = args[i].startsWith('--') ? args[i].slice(2) : '';
    const option = (OPTIONS as Record<string, { type: string }>)[name];
    if (option?.type === 'string' && /^-\d/.test(args[i + 1] ?? '')) joined.push(`${args[i]}=${args[++i]}`);
    else joined.push(args[i]);
  }
  return joined;
}

export function tokenCommand(args: readonly string[]): TokenCommand {
  let values: ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>['values'];
  try {
    ({ values } = parseArgs({ args: joinNegativeValues(args), options: OPTIONS }));
  } catch (error) {
    // parseArgs's own words, without its error code or a stack trace.
    return { kind: 'refused', text: `${(error as Error).message} (npm run token -- --help)` };
  }
  if (values.help) return { kind: 'usage', exitCode: 0, text: usage };
  if (!values.tenant || !values.app) return { kind: 'usage', exitCode: 2, text: usage };
  const ttlSeconds = Number(values.ttl);
  if (!/^-?\d+$/.test(values.ttl) || !Number.isSafeInteger(ttlSeconds)) {
    return {
      kind: 'refused',
      text: `--ttl must be a whole number of seconds, not '${values.ttl}' (a negative one gives an expired token)`,
    };
  }
  const roles = values.roles
    .split(',')
    .map((role) => role.trim())
    .filter(Boolean);
  return {
    kind: 'issue',
    request: { tenantId: values.tenant, appId: values.app, roles, scp: values.scp, ttlSeconds, audience: values.aud },
  };
}

function main(): void {
  const command = tokenCommand(process.argv.slice(2));
  if (command.kind === 'issue') {
    console.log(DevTokenIssuer.forDataDir(loadConfig().auth.dataDir).issue(command.request));
    return;
  }
  console.error(command.text);
  process.exit(command.kind === 'usage' ? command.exitCode : 2);
}

if (require.main === module) main();
