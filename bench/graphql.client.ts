/** One GraphQL answer; `errors` is what the server reported, if anything. */
export interface GraphqlAnswer<T> {
  readonly data: T | null;
  readonly errors: readonly { message: string; extensions?: Record<string, unknown> }[];
}

/** POST /graphql with JSON over Node's fetch (keep-alive connections are reused). */
export async function postGraphql<T>(url: string, query: string, variables: Record<string, unknown> = {}): Promise<GraphqlAnswer<T>> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T | null; errors?: GraphqlAnswer<T>['errors'] };
  return { data: body.data ?? null, errors: body.errors ?? [] };
}

/** The data, or an Error naming the first reported error. */
export async function queryOrThrow<T>(url: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const answer = await postGraphql<T>(url, query, variables);
  if (answer.errors.length > 0 || answer.data === null) {
    const first = answer.errors[0];
    throw new Error(`GraphQL: expected data, got ${first ? `${String(first.extensions?.code ?? 'error')}: ${first.message}` : 'no data'}`);
  }
  return answer.data;
}
