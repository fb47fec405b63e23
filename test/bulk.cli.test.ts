import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startHarness, type Harness } from './support/gateway.harness';

const CLI = join(__dirname, '..', 'dist', 'scripts', 'send-bulk.js');

/** The built CLI as an operator runs it (stdout not a terminal: one line per change, at most every 5 s). */
function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '' }, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('send-bulk command line', () => {
  let h: Harness;

  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error('send-bulk: expected a build in dist/ (run `npm run build`; `npm test` does)');
    h = await startHarness({ customers: 60, contracts: 150, twilio: { callbacks: false } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('starts a run, shows its progress and ends with the totals', async () => {
    const ids = Array.from({ length: 40 }, (_, i) => `C${String(i + 1).padStart(7, '0')}`).join(',');
    const { code, stdout, stderr } = await run(['--url', h.url, '--template', 'contract-renewal', '--ids', ids, '--policy', 'EXPLICIT', '--channels', 'SMS', '--data', '{"renewalDate":"2027-01-01"}', '--key', 'cli-run', '--interval', '200']);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^batch [0-9a-f-]{36} \(key cli-run, run 1\): EXPANDING$/);
    expect(lines.some((line) => /^\[#{30}\] 100% COMPLETED · queued \d+ · sent \d+/.test(line))).toBe(true);
    const summary = /^COMPLETED: (\d+) queued, (\d+) sent, \d+ delivered, (\d+) failed, 0 cancelled, (\d+) rejected, 0 already sent/.exec(lines[lines.length - 1]);
    expect(summary).not.toBeNull();
    const [queued, sent, failed, rejected] = summary!.slice(1).map(Number);
    expect(queued + rejected).toBe(40);
    expect(sent + failed).toBe(queued);
    expect(h.sms.messages).toHaveLength(sent);
  });

  it('refuses bad usage with exit code 2 and the gateway\'s error with 1', async () => {
    const usage = await run(['--url', h.url, '--ids', 'C0000001']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--template: expected a template key');
    const refused = await run(['--url', h.url, '--template', 'nope', '--all']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('BAD_USER_INPUT: templateKey');
  });
});
