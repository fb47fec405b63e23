import { resolve } from 'node:path';
import { readDotEnv } from '../src/config';
import { readBackofficeFile } from '../src/connectors/spec/spec.loader';

/*
 * Validates a back-office configuration file without starting anything:
 *   npm run check-config -- config/backoffice.legacy.yaml
 * `${VAR}` is filled from the environment (and .env), as at start. Exit codes:
 * 0 valid, 2 problems (one line each, naming the path) or bad usage.
 */

function main(): number {
  const files = process.argv.slice(2).filter((arg) => arg !== '--');
  if (files.length === 0) {
    console.error('usage: check-config FILE...   (a BACKOFFICE_CONFIG file, YAML or JSON)');
    return 2;
  }
  const env = readDotEnv(resolve(process.cwd(), '.env'), process.env);
  let failed = false;
  for (const file of files) {
    const result = readBackofficeFile(resolve(process.cwd(), file), env);
    if (result.ok) {
      const { crm, contracts, catalog } = result.file.backoffice;
      console.log(`${file}: valid (crm ${crm.kind}, contracts ${contracts.kind}, catalog ${catalog.kind})`);
    } else {
      failed = true;
      console.error(`${file}: ${result.problems.length} problem${result.problems.length === 1 ? '' : 's'}`);
      for (const line of result.problems) console.error(`  ${line}`);
    }
  }
  return failed ? 2 : 0;
}

process.exitCode = main();
