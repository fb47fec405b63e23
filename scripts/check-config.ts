import { resolve } from 'node:path';
import { readDotEnv } from '../src/config';
import { checkOpenApiDocuments } from '../src/connectors/backoffice.connect';
import { readBackofficeFile } from '../src/connectors/spec/spec.loader';

/*
 * Validates a back-office configuration file without starting anything:
 *   npm run check-config -- config/backoffice.legacy.yaml
 *   npm run check-config -- --reach my-backoffice.yaml   (also reads the OpenAPI documents of kind openapi)
 * `${VAR}` is filled from the environment (and .env), as at start. Exit codes:
 * 0 valid, 2 problems (one line each, naming the path) or bad usage, 1 a
 * document that could not be read (--reach).
 */

async function main(): Promise<number> {
  const args = process.argv.slice(2).filter((arg) => arg !== '--');
  const reach = args.includes('--reach');
  const files = args.filter((arg) => arg !== '--reach');
  if (files.length === 0) {
    console.error('usage: check-config [--reach] FILE...   (a BACKOFFICE_CONFIG file, YAML or JSON)');
    return 2;
  }
  const env = readDotEnv(resolve(process.cwd(), '.env'), process.env);
  let failed = false;
  let unread = false;
  for (const file of files) {
    const result = readBackofficeFile(resolve(process.cwd(), file), env);
    if (result.ok && reach) {
      const { problems, unreachable } = await checkOpenApiDocuments(result.file, 10_000);
      if (problems.length > 0) {
        failed = true;
        console.error(`${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'} with the OpenAPI documents`);
        for (const line of problems) console.error(`  ${line}`);
        continue;
      }
      for (const line of unreachable) console.error(`${file}: ${line}`);
      if (unreachable.length > 0) unread = true;
    }
    if (result.ok) {
      const { crm, contracts, catalog } = result.file.backoffice;
      console.log(`${file}: valid (crm ${crm.kind}, contracts ${contracts.kind}, catalog ${catalog.kind})`);
    } else {
      failed = true;
      console.error(`${file}: ${result.problems.length} problem${result.problems.length === 1 ? '' : 's'}`);
      for (const line of result.problems) console.error(`  ${line}`);
    }
  }
  return failed ? 2 : unread ? 1 : 0;
}

void main().then((code) => {
  process.exitCode = code;
});
