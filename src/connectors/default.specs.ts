import { defaultBackofficeFile } from './backoffice.connect';
import type { CatalogSpec, ContractsSpec, CrmSpec } from './spec/backoffice.schema';

/*
 * The systems of the default configuration (config/backoffice.default.yaml) on
 * their own, for connectors built around a client the caller made. Addresses in
 * the file are not used: the client (or URL) given to the connector is.
 */

const PLACEHOLDER_URLS = { crmUrl: 'http://crm.invalid', catalogUrl: 'http://catalog.invalid', contractsDatabaseUrl: 'sqlite:contracts.invalid' };

export function defaultCrmSpec(): CrmSpec {
  return defaultBackofficeFile(PLACEHOLDER_URLS).backoffice.crm;
}

export function defaultContractsSpec(): ContractsSpec {
  return defaultBackofficeFile(PLACEHOLDER_URLS).backoffice.contracts;
}

export function defaultCatalogSpec(): CatalogSpec {
  return defaultBackofficeFile(PLACEHOLDER_URLS).backoffice.catalog;
}
