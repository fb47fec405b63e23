import { hostChild } from './child.host';
import { startDirectClient } from './direct-client';

/**
 * The hand-written client of the customer view (direct-client.ts) in a process
 * of its own, like the gateway, so the two are measured the same way: one
 * process each, the load generator and the back-office in the driver.
 * Environment (sent by the driver): CRM_URL, CATALOG_URL,
 * CONTRACTS_DATABASE_URL, DATABASE_URL (the gateway's store), CATALOG_CACHE_TTL_MS.
 */
hostChild(async (env) => {
  const required = (name: string): string => {
    const value = env[name];
    if (!value) throw new Error(`direct client: expected ${name}, got nothing`);
    return value;
  };
  const ttl = Number(env.CATALOG_CACHE_TTL_MS ?? '');
  if (!Number.isInteger(ttl) || ttl < 0) throw new Error(`direct client: CATALOG_CACHE_TTL_MS: expected an integer ≥ 0, got ${JSON.stringify(env.CATALOG_CACHE_TTL_MS)}`);
  return startDirectClient({
    crmUrl: required('CRM_URL'),
    catalogUrl: required('CATALOG_URL'),
    contractsDatabaseUrl: required('CONTRACTS_DATABASE_URL'),
    storeUrl: required('DATABASE_URL'),
    catalogCacheMs: ttl,
  });
});
