import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The service's command in the image: `node` (the Dockerfile's ENTRYPOINT),
 * then its exec-form CMD, Node's flags and the script. Read by the bench (so
 * every service contender runs as deployed) and by the production-image test
 * (so `npm start` and the image run the same). Found from here upwards: this
 * file runs from scripts/ in tests and from dist/scripts/ in the bench.
 */
export function imageCommand(): { nodeFlags: string[]; script: string } {
  let directory = __dirname;
  while (!existsSync(join(directory, 'Dockerfile'))) {
    if (dirname(directory) === directory) throw new Error('no Dockerfile above scripts/');
    directory = dirname(directory);
  }
  const command = readFileSync(join(directory, 'Dockerfile'), 'utf8').match(/^CMD (\[.*\])$/m);
  if (!command) throw new Error('the Dockerfile has no exec-form CMD');
  const args = JSON.parse(command[1]) as string[];
  return { nodeFlags: args.slice(0, -1), script: args[args.length - 1] };
}
