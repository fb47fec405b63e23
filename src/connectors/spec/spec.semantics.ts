import { Channel, ContractStatus } from '../../domain';
import { compileExpression, ExpressionError } from '../mapping/expression';
import type { BackofficeFile, BatchOperation, FieldSpec, PageOperation, SystemSpec, WriteOperation } from './backoffice.schema';

type Operation = BatchOperation | PageOperation | WriteOperation;
type Kind = SystemSpec['kind'];

/** What the schema alone cannot say: what each kind of system needs, expressions that parse, enum targets that exist. */
export function checkSemantics(file: BackofficeFile): string[] {
  const problems: string[] = [];
  const { crm, contracts, catalog } = file.backoffice;
  const check = (system: SystemSpec, name: string, entity: string, operations: Record<string, Operation | undefined>, batch: readonly string[]): void => {
    const base = `backoffice.${name}`;
    checkUrl(system, base, problems);
    for (const [opName, op] of Object.entries(operations)) {
      if (!op) continue;
      checkOperation(system.kind, op, `${base}.${entity}.${opName}`, batch.includes(opName), opName === 'updatePreferences', problems);
    }
  };
  check(crm, 'crm', 'customers', { byIds: crm.customers.byIds, search: crm.customers.search, byPhone: crm.customers.byPhone, updatePreferences: crm.customers.updatePreferences }, ['byIds']);
  check(contracts, 'contracts', 'contracts', { byIds: contracts.contracts.byIds, byCustomerIds: contracts.contracts.byCustomerIds }, ['byIds', 'byCustomerIds']);
  check(catalog, 'catalog', 'products', { byIds: catalog.products.byIds, list: catalog.products.list }, ['byIds']);

  walkMap(crm.customers.map, 'backoffice.crm.customers.map', problems);
  walkMap(contracts.contracts.map, 'backoffice.contracts.contracts.map', problems);
  walkMap(catalog.products.map, 'backoffice.catalog.products.map', problems);
  enumTargets(crm.customers.map.kind, 'backoffice.crm.customers.map.kind', ['person', 'company'], problems);
  enumTargets(crm.customers.map.preferredChannel, 'backoffice.crm.customers.map.preferredChannel', Object.values(Channel), problems);
  enumTargets(contracts.contracts.map.status, 'backoffice.contracts.contracts.map.status', Object.values(ContractStatus), problems);
  return problems;
}

function checkUrl(system: SystemSpec, base: string, problems: string[]): void {
  if (system.kind === 'sql') {
    if (!/^sqlite:.+/.test(system.url) && !/^postgres(ql)?:\/\/.+/.test(system.url)) {
      problems.push(`${base}.url: expected sqlite:<path> or postgres://… for kind sql, got another scheme`);
    }
    for (const key of ['auth', 'wsdl', 'openapi', 'maxSockets'] as const) {
      if (system[key] !== undefined) problems.push(`${base}.${key}: expected nothing for kind sql (credentials go in the connection string), got a value`);
    }
    return;
  }
  if (system.auth?.type === 'forward' && (system.cacheTtlMs ?? 0) > 0 && !base.endsWith('.catalog')) {
    // What one caller may see would be served to the next from memory.
    problems.push(`${base}.cacheTtlMs: expected 0 with auth forward (answers may depend on the caller), got ${system.cacheTtlMs}`);
  }
  if (!/^https?:\/\/[^\s]+$/.test(system.url)) problems.push(`${base}.url: expected an http(s) URL for kind ${system.kind}, got ${JSON.stringify(system.url.slice(0, 60))}`);
  if (system.poolSize !== undefined) problems.push(`${base}.poolSize: expected nothing for kind ${system.kind} (sql only), got a value`);
  if (system.wsdl !== undefined && system.kind !== 'soap') problems.push(`${base}.wsdl: expected nothing for kind ${system.kind} (soap only), got a value`);
  if (system.openapi !== undefined && system.kind !== 'openapi') problems.push(`${base}.openapi: expected nothing for kind ${system.kind} (openapi only), got a value`);
  if (system.openapi !== undefined && /^[a-z][a-z0-9+.-]*:\/\//i.test(system.openapi) && !/^https?:\/\/[^\s/]+(\/[^\s]*)?$/i.test(system.openapi)) {
    problems.push(`${base}.openapi: expected an http(s) URL or a file path, got ${JSON.stringify(system.openapi.slice(0, 60))}`);
  }
}

const NOT_FOR: Readonly<Record<Kind, readonly string[]>> = {
  rest: ['sql', 'operation'],
  openapi: ['sql'],
  sql: ['method', 'url', 'query', 'body', 'operation', 'ids', 'concurrency', 'missing'],
  soap: ['method', 'url', 'query', 'sql', 'ids', 'missing'],
};

function placeholders(op: Operation): string {
  return JSON.stringify([op.url ?? '', op.query ?? {}, op.body ?? {}]);
}

function checkOperation(kind: Kind, op: Operation, path: string, batch: boolean, write: boolean, problems: string[]): void {
  for (const key of NOT_FOR[kind]) {
    if ((op as Record<string, unknown>)[key] !== undefined) problems.push(`${path}.${key}: expected nothing for a ${kind} system, got a value`);
  }
  if (op.items !== undefined) expression(op.items, `${path}.items`, problems);
  const paging = 'paging' in op ? op.paging : undefined;
  if (paging) {
    expression(paging.total, `${path}.paging.total`, problems);
    if (paging.next !== undefined) expression(paging.next, `${path}.paging.next`, problems);
  }
  const ids = batch ? (op as BatchOperation).ids : undefined;
  switch (kind) {
    case 'rest':
    case 'openapi':
      if (op.url === undefined && !(kind === 'openapi' && op.operation !== undefined)) {
        problems.push(`${path}.url: expected a path below the system URL${kind === 'openapi' ? ' (or operation: an operationId of the OpenAPI document)' : ''}, got nothing`);
      }
      if (kind === 'openapi' && op.operation !== undefined) {
        // The document says where the operation is and how it is called.
        for (const key of ['url', 'method'] as const) {
          if (op[key] !== undefined) problems.push(`${path}.${key}: expected nothing with operation (the OpenAPI document gives it), got a value`);
        }
      }
      if (batch && !ids) problems.push(`${path}.ids: expected {in: query|repeat|body|path}, got nothing`);
      if (ids?.in === 'path' && op.operation === undefined && !(op.url ?? '').includes('{id}')) problems.push(`${path}.url: expected {id} in the path for ids in path, got ${JSON.stringify(op.url ?? '')}`);
      if (ids?.in === 'body' && op.method === 'GET') problems.push(`${path}.method: expected POST, PUT or PATCH for ids in the body, got GET`);
      break;
    case 'sql':
      if (op.sql === undefined) problems.push(`${path}.sql: expected a SELECT statement, got nothing`);
      else if (batch && !/:ids\b/.test(op.sql)) problems.push(`${path}.sql: expected the bound list :ids in the statement, got none`);
      if (write) problems.push(`${path}: expected no write operation on a sql system (not supported), got one`);
      if (paging) problems.push(`${path}.paging: expected nothing for a sql system, got a value`);
      break;
    case 'soap':
      if (op.operation === undefined) problems.push(`${path}.operation: expected a WSDL operation name, got nothing`);
      break;
    default:
      kind satisfies never;
  }
  if (paging && kind !== 'sql') {
    const text = placeholders(op);
    const needed = ['{limit}', paging.style === 'cursor' ? '{cursor}' : paging.style === 'offset' ? '{offset}' : '{page}'];
    for (const name of needed) if (!text.includes(name)) problems.push(`${path}: expected the placeholder ${name} in url, query or body for paging style ${paging.style}, got none`);
  }
  if (batch && kind !== 'sql' && ids?.in !== 'path' && ids?.in !== 'query' && ids?.in !== 'repeat' && !placeholders(op).includes('{ids}') && op.body !== undefined) {
    problems.push(`${path}.body: expected the placeholder {ids} for the list of ids, got none`);
  }
}

function expression(source: string, path: string, problems: string[]): void {
  try {
    compileExpression(source);
  } catch (error) {
    if (!(error instanceof ExpressionError)) throw error;
    problems.push(`${path}: expected a JSONata expression, got ${JSON.stringify(source.slice(0, 60))} (${error.message})`);
  }
}

/** Every expression of a map, nested groups (postalAddress, consents, money, attributes) included. */
function walkMap(map: object, path: string, problems: string[]): void {
  for (const [key, value] of Object.entries(map)) {
    const at = `${path}.${key}`;
    if (typeof value === 'string') expression(value, at, problems);
    else if (Array.isArray(value)) value.forEach((item, i) => typeof item === 'string' && expression(item, `${at}.${i}`, problems));
    else if (value && typeof value === 'object') {
      if ('expr' in value && typeof value.expr === 'string') expression(value.expr, `${at}.expr`, problems);
      else walkMap(value, at, problems);
    }
  }
}

function enumTargets(spec: FieldSpec | undefined, path: string, allowed: readonly string[], problems: string[]): void {
  if (spec === undefined || typeof spec === 'string') return;
  for (const [from, to] of Object.entries(spec.enum ?? {})) {
    if (!allowed.includes(to)) problems.push(`${path}.enum.${from}: expected one of ${allowed.join(', ')}, got ${JSON.stringify(to)}`);
  }
  if (typeof spec.default === 'string' && !allowed.includes(spec.default)) problems.push(`${path}.default: expected one of ${allowed.join(', ')}, got ${JSON.stringify(spec.default)}`);
}
