import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../src/config';

describe('print and document settings (PRINT_*, DOCUMENT_PDFA)', () => {
  it('defaults to what the gateway did before they existed', () => {
    const config = loadConfig({});
    expect(config.print).toEqual({ batchIntervalMs: 3_600_000, batchMaxLetters: 10_000, duplex: true, homeCountry: 'FR', sheetGrams: 5, envelopeGrams: 5 });
    expect(config.documentPdfa).toBe(false);
    expect(Object.isFrozen(config.print)).toBe(true);
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PRINT_BATCH_INTERVAL_MS: '0',
      PRINT_BATCH_MAX_LETTERS: '2500',
      PRINT_DUPLEX: 'false',
      PRINT_HOME_COUNTRY: 'de',
      PRINT_SHEET_GRAMS: '7',
      PRINT_ENVELOPE_GRAMS: '0',
      DOCUMENT_PDFA: 'true',
    });
    expect(config.print).toEqual({ batchIntervalMs: 0, batchMaxLetters: 2500, duplex: false, homeCountry: 'DE', sheetGrams: 7, envelopeGrams: 0 });
    expect(config.documentPdfa).toBe(true);
  });

  it.each([
    ['PRINT_BATCH_INTERVAL_MS', 'hourly', 'PRINT_BATCH_INTERVAL_MS: expected an integer from 0 to 2147483647, got "hourly"'],
    ['PRINT_BATCH_INTERVAL_MS', '500', 'PRINT_BATCH_INTERVAL_MS: expected 0 (no schedule) or an integer from 1000 to 2147483647, got "500"'],
    ['PRINT_BATCH_MAX_LETTERS', '0', 'PRINT_BATCH_MAX_LETTERS: expected an integer from 1 to 100000, got "0"'],
    ['PRINT_DUPLEX', 'yes', 'PRINT_DUPLEX: expected true or false, got "yes"'],
    ['PRINT_HOME_COUNTRY', 'France', 'PRINT_HOME_COUNTRY: expected an ISO 3166 alpha-2 country code such as FR or DE, got "France"'],
    ['PRINT_HOME_COUNTRY', 'UK', 'PRINT_HOME_COUNTRY: expected an ISO 3166 alpha-2 country code such as FR or DE, got "UK"'],
    ['PRINT_SHEET_GRAMS', '4.5', 'PRINT_SHEET_GRAMS: expected an integer from 1 to 100, got "4.5"'],
    ['PRINT_ENVELOPE_GRAMS', '-1', 'PRINT_ENVELOPE_GRAMS: expected an integer from 0 to 500, got "-1"'],
    ['DOCUMENT_PDFA', '1', 'DOCUMENT_PDFA: expected true or false, got "1"'],
  ])('%s=%s stops the start with one line naming the variable', (variable, value, message) => {
    let error: unknown;
    try {
      loadConfig({ [variable]: value });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(message);
  });

  it('is what the process prints and exits with when started with a bad value', () => {
    const main = join(__dirname, '..', 'dist', 'main.js');
    let result: { status: number | null; stderr: string } = { status: 0, stderr: '' };
    try {
      execFileSync(process.execPath, [main, 'worker'], { env: { PATH: process.env.PATH, PRINT_DUPLEX: 'sometimes' }, cwd: tmpdir(), encoding: 'utf8', stdio: 'pipe' });
    } catch (error) {
      result = error as { status: number; stderr: string };
    }
    expect(result.status).toBe(2);
    expect(result.stderr).toBe('configuration error: PRINT_DUPLEX: expected true or false, got "sometimes"\n');
  });
});
