import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AppProcess, buildApps, freePort } from '../support/app-process';
import { until } from '../support/waits';

const ROOT = join(__dirname, '..', '..');
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const blocks = [...readme.matchAll(/```bash\n([\s\S]*?)```/g)].map((m) => m[1]);

/**
 * The README's quick start, walked as a newcomer would, with its commands
 * taken from the README itself: the service on its embedded defaults, the
 * receiver of the bot's notifications, and the token and curl commands.
 * When the README and the service drift apart, this fails.
 */
describe("the README's quick start, as written (processes, SQLite)", () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'calls-quick-start-'));
  let service: AppProcess;
  let receiver: AppProcess;
  let port: number;
  let botPort: number;

  beforeAll(async () => {
    await buildApps();
    port = await freePort();
    botPort = await freePort();
    service = new AppProcess('calls-service', { DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1' });
    await service.start(`http://127.0.0.1:${port}/health/ready`);
    // The README's `npm run example:receiver` runs this script (asserted below).
    receiver = new AppProcess('examples/bot/receiver.js', {
      SERVICE_URL: `http://127.0.0.1:${port}`,
      BOT_PORT: String(botPort),
    });
    await receiver.start(/receiving notifications at/);
  }, 180_000);

  afterAll(async () => {
    await receiver?.stop();
    await service?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts the receiver with the command the README gives', () => {
    const scripts = (
      JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
    ).scripts;
    expect(blocks.some((block) => /^npm run example:receiver\b/m.test(block))).toBe(true);
    expect(scripts['example:receiver']).toBe('node dist/examples/bot/receiver.js');
    expect(receiver.output).toContain(`receiving notifications at http://127.0.0.1:${botPort}/callback`);
  });

  it('creates a call, plays a prompt and cancels it, and the receiver prints what the bot is told', async () => {
    const commands = blocks.find((block) => block.includes('TOKEN=$(npm run -s token'));
    expect(commands).toBeDefined();
    // The README's ports are the defaults; this run's service and receiver listen on free ones.
    const script = commands!
      .replaceAll('localhost:3000', `127.0.0.1:${port}`)
      .replaceAll('127.0.0.1:4000', `127.0.0.1:${botPort}`);
    expect(script).not.toBe(commands); // the README does talk to the service and the receiver
    const { stdout } = await promisify(execFile)('bash', ['-euo', 'pipefail', '-c', script], {
      cwd: ROOT,
      env: { ...process.env, DATA_DIR: dataDir },
      timeout: 60_000,
    });
    // The cancel's answer (curl -si): Graph's operation plus the prompt it ended.
    expect(stdout).toMatch(/HTTP\/1\.1 200 OK\r?\n/);
    expect(stdout).toMatch(/"@odata\.type":"#microsoft\.graph\.cancelMediaProcessingOperation"/);
    expect(stdout).toMatch(/"cancelledOperations":\[\{"@odata\.type":"#microsoft\.graph\.playPromptOperation"/);

    // What the README says the receiver prints.
    await until(() => /deleted playPromptOperation \S+: failed, resultInfo 400\/8508/.test(receiver.output)).catch(
      () => {
        throw new Error(`the receiver did not print the cancelled prompt; it printed:\n${receiver.output}`);
      },
    );
    expect(receiver.output).toMatch(/updated call \S+: established/);
    const printed = /```text\n([\s\S]*?)```/.exec(readme.slice(readme.indexOf('the receiver prints')))?.[1] ?? '';
    for (const line of printed.trim().split('\n')) {
      const pattern = new RegExp(line.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&').replaceAll('<id>', '[0-9a-f-]+'));
      expect(receiver.output).toMatch(pattern);
    }
  });
});
