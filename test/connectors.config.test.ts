import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigFileError, loadConfig } from '../src/config';
import { parseBackofficeText, readBackofficeFile } from '../src/connectors/spec/spec.loader';

const ROOT = join(__dirname, '..');
const DEFAULT = readFileSync(join(ROOT, 'config', 'backoffice.default.yaml'), 'utf8');
const URLS = { CRM_URL: 'http://127.0.0.1:1', CATALOG_URL: 'http://127.0.0.1:2', CONTRACTS_DATABASE_URL: 'sqlite:/nowhere/c.sqlite' };

function problems(text: string, vars: Record<string, string> = URLS): readonly string[] {
  const result = parseBackofficeText(text, vars);
  if (result.ok) throw new Error('expected problems, the file was accepted');
  return result.problems;
}

describe('back-office configuration files', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'bo-config-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('accepts the default and the legacy example, filling ${VAR} from the environment', () => {
    const result = readBackofficeFile(join(ROOT, 'config', 'backoffice.default.yaml'), URLS);
    expect(result.ok && result.file.backoffice.crm.url).toBe('http://127.0.0.1:1');
    const legacy = readBackofficeFile(join(ROOT, 'config', 'backoffice.legacy.yaml'), {
      LEGACY_CRM_URL: 'http://127.0.0.1:3/crm', LEGACY_CRM_API_KEY: 'k', LEGACY_CONTRACTS_URL: 'postgres://u:p@127.0.0.1/x',
      LEGACY_CATALOG_URL: 'http://127.0.0.1:4', LEGACY_CATALOG_TOKEN_URL: 'http://127.0.0.1:4/oauth/token', LEGACY_CATALOG_CLIENT_ID: 'id', LEGACY_CATALOG_CLIENT_SECRET: 's',
    });
    expect(legacy.ok ? 'ok' : legacy.problems).toBe('ok');
  });

  it('names the path of an unknown key, a wrong type and a missing operation, one line each', () => {
    const bad = DEFAULT.replace('maxBatch: 500\n        items: data', 'maxBatch: 500\n        itemz: data')
      .replace('url: /customers/lookup', 'url: 42')
      .replace(/      list:\n(.*\n){4}/, '');
    expect(problems(bad)).toEqual([
      'backoffice.crm.customers.byIds.url: expected a string, got a number',
      'backoffice.crm.customers.byIds.itemz: expected a known key (see docs/connectors.md), got an unknown key',
      'backoffice.catalog.products.list: expected an object, got nothing',
    ]);
  });

  it('reports a mapping expression that does not parse, and an operation the kind cannot run', () => {
    const bad = DEFAULT.replace('email: contact.email', 'email: contact.(email').replace('maxBatch: 500\n      byCustomerIds', 'maxBatch: 500\n        url: /contracts\n      byCustomerIds');
    expect(problems(bad)).toEqual([
      'backoffice.contracts.contracts.byIds.url: expected nothing for a sql system, got a value',
      expect.stringMatching(/^backoffice\.crm\.customers\.map\.email: expected a JSONata expression, got "contact\.\(email" \(position \d+: .+\)$/),
    ]);
  });

  it('reports an unset ${VAR} at its path, without the values of secrets', () => {
    const withKey = DEFAULT.replace('url: ${CRM_URL}', 'url: ${CRM_URL}\n    auth: { type: apiKey, value: 12345 }');
    expect(problems(withKey, { CRM_URL: 'http://x', CATALOG_URL: 'http://y' })).toEqual([
      'backoffice.contracts.url: expected environment variable CONTRACTS_DATABASE_URL to be set, got nothing',
      'backoffice.crm.auth.value: expected a string, got a number',
    ]);
    expect(problems(withKey, URLS).join('\n')).not.toContain('12345');
  });

  it('rejects enum targets the gateway does not have', () => {
    const bad = DEFAULT.replace('A: ACTIVE', 'A: ALIVE');
    expect(problems(bad)).toEqual(['backoffice.contracts.contracts.map.status.enum.A: expected one of ACTIVE, SUSPENDED, TERMINATED, PENDING, got "ALIVE"']);
  });

  it('stops loadConfig with every problem, and the process with exit code 2', () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, DEFAULT.replace('kind: sql', 'kind: mainframe'));
    const env = { NODE_ENV: 'test', BACKOFFICE_CONFIG: file, ...URLS };
    expect(() => loadConfig(env)).toThrow(ConfigFileError);
    expect(() => loadConfig(env)).toThrow(/backoffice\.contracts\.kind: expected one of rest, openapi, sql, soap, got "mainframe"/);
    const run = spawnSync(process.execPath, [join(ROOT, 'dist', 'main.js'), 'api'], { env: { PATH: process.env.PATH, ...env, DATA_DIR: dir }, encoding: 'utf8', timeout: 30_000 });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`configuration error: BACKOFFICE_CONFIG ${file}: 1 problem\n  backoffice.contracts.kind: expected one of`);
    const check = spawnSync(process.execPath, [join(ROOT, 'dist', 'scripts', 'check-config.js'), file], { env: { PATH: process.env.PATH, ...URLS }, encoding: 'utf8', timeout: 30_000 });
    expect(check.status).toBe(2);
    expect(check.stderr).toContain('backoffice.contracts.kind: expected one of');
    const good = spawnSync(process.execPath, [join(ROOT, 'dist', 'scripts', 'check-config.js'), join(ROOT, 'config', 'backoffice.default.yaml')], { env: { PATH: process.env.PATH, ...URLS }, encoding: 'utf8', timeout: 30_000 });
    expect(good.stdout).toContain('valid (crm rest, contracts sql, catalog rest)');
    expect(good.status).toBe(0);
  });
});
