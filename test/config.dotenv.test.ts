import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, readDotEnv } from '../src/config';

describe('readDotEnv (.env under the environment)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ccm-dotenv-'));
  const file = join(dir, '.env');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the file, lets the environment win and writes nothing to process.env', () => {
    writeFileSync(file, [
      '# development settings',
      'PORT=4100',
      'export LOG_LEVEL=debug',
      'MAIL_FROM="Service client <service@example.com>"',
      "PRINT_HOME_COUNTRY='de'",
      'PRINT_SHEET_GRAMS=7 # grams',
      'CCM_DOTENV_PROBE=from-file',
      '',
    ].join('\n'));
    const env = readDotEnv(file, { PORT: '4200' });
    expect(env).toMatchObject({ PORT: '4200', LOG_LEVEL: 'debug', MAIL_FROM: 'Service client <service@example.com>', PRINT_HOME_COUNTRY: 'de', PRINT_SHEET_GRAMS: '7' });
    expect(process.env.CCM_DOTENV_PROBE).toBeUndefined();
    const config = loadConfig(env);
    expect(config.port).toBe(4200);
    expect(config.print).toMatchObject({ homeCountry: 'DE', sheetGrams: 7 });
  });

  it('keeps an empty value set in the environment over the file', () => {
    writeFileSync(file, 'LOG_LEVEL=debug\n');
    expect(readDotEnv(file, { LOG_LEVEL: '' }).LOG_LEVEL).toBe('');
  });

  it('answers the environment alone when there is no file', () => {
    expect(readDotEnv(join(dir, 'missing.env'), { PORT: '4300' })).toEqual({ PORT: '4300' });
  });
});
