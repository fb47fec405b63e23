import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { printSchema } from 'graphql';
import { buildGatewaySchema } from '../src/schema/build';
import { projectRoot } from '../src/runtime/project-root';

/** Writes schema.graphql from the resolver classes; a test fails when the committed file is stale. */
async function emit(): Promise<void> {
  const schema = await buildGatewaySchema();
  const target = join(projectRoot(), 'schema.graphql');
  writeFileSync(target, `${printSchema(schema)}\n`);
  console.log(`wrote ${target}`);
}

emit().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
