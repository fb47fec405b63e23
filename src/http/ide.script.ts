/**
 * The IDE page's bootstrap, served as a same-origin script (`<assetsPath>/ide.js`)
 * so the page needs no inline script and keeps a strict Content-Security-Policy.
 *
 * It runs in the browser after the UMD builds of React, ReactDOM, graphql-ws
 * (`graphqlWs`) and GraphiQL (`GraphiQL`) and reads its settings from the
 * `data-*` attributes of `#graphiql`:
 *
 * - queries and mutations: `POST <endpoint>` with a JSON body and the headers
 *   of GraphiQL's headers editor;
 * - subscriptions: graphql-ws (`graphql-transport-ws`) on the same URL with
 *   ws: / wss: following the page's http: / https:. A WebSocket carries no
 *   custom headers from a browser, so `Authorization` and `X-Api-Key` from the
 *   headers editor travel as connectionParams `{ authorization, 'x-api-key' }`;
 *   when they change, the next subscription opens a new connection with them.
 *
 * Kept as plain ES2018 text (no build step, no module loader) because it is
 * shipped to browsers as is.
 */
export const IDE_BOOTSTRAP_JS = String.raw`(function () {
  'use strict';
  var root = document.getElementById('graphiql');
  // The page's per-response CSP nonce for the one <style> GraphiQL's dialogs inject (see ide.page.ts).
  if (root.dataset.styleNonce) window.__webpack_nonce__ = root.dataset.styleNonce;
  delete root.dataset.styleNonce;
  var endpoint = new URL(root.dataset.endpoint || '/graphql', location.href);
  var wsUrl = new URL(endpoint.href);
  wsUrl.protocol = endpoint.protocol === 'https:' ? 'wss:' : 'ws:';

  function headerValue(headers, name) {
    if (!headers) return undefined;
    for (var key in headers) {
      if (key.toLowerCase() === name && headers[key] != null && headers[key] !== '') return String(headers[key]);
    }
    return undefined;
  }

  function connectionParams(headers) {
    var params = {};
    var authorization = headerValue(headers, 'authorization');
    var apiKey = headerValue(headers, 'x-api-key');
    if (authorization !== undefined) params.authorization = authorization;
    if (apiKey !== undefined) params['x-api-key'] = apiKey;
    return params;
  }

  // One lazy client per distinct set of credentials: connectionParams are sent once, on connect.
  var ws = null;
  var wsKey = null;
  function wsClient(params) {
    var key = JSON.stringify(params);
    if (ws && wsKey === key) return ws;
    if (ws) ws.dispose();
    wsKey = key;
    ws = graphqlWs.createClient({ url: wsUrl.href, connectionParams: params, lazy: true, retryAttempts: 0 });
    return ws;
  }

  function isSubscription(params, options) {
    var doc = options && options.documentAST;
    if (doc && doc.definitions) {
      var ops = doc.definitions.filter(function (d) { return d.kind === 'OperationDefinition'; });
      var named = params.operationName
        ? ops.find(function (o) { return o.name && o.name.value === params.operationName; })
        : undefined;
      var op = named || (ops.length === 1 ? ops[0] : undefined);
      return !!op && op.operation === 'subscription';
    }
    var source = String(params.query || '').replace(/#[^\n]*/g, '');
    return /^\s*subscription\b/.test(source);
  }

  // graphql-ws rejects with the socket's error or close event, or a GraphQLError list;
  // GraphiQL shows Errors and results well and an Event as "{}".
  function socketError(err) {
    if (err instanceof Error) return err;
    if (err && typeof err.code === 'number') {
      return new Error('WebSocket closed (' + err.code + (err.reason ? ': ' + err.reason : '') + ') on ' + wsUrl.href);
    }
    if (err && err.type === 'error') {
      return new Error('WebSocket error' + (err.message ? ' (' + err.message + ')' : '') + ' on ' + wsUrl.href);
    }
    return new Error(String(err));
  }

  async function* subscribe(params, headers) {
    try {
      for await (const result of wsClient(connectionParams(headers)).iterate(params)) yield result;
    } catch (err) {
      if (Array.isArray(err)) { yield { errors: err }; return; }
      throw socketError(err);
    }
  }

  async function post(params, headers) {
    var sent = { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' };
    for (var key in headers || {}) sent[key] = String(headers[key]);
    var response = await fetch(endpoint.href, {
      method: 'POST',
      headers: sent,
      body: JSON.stringify(params),
      credentials: 'same-origin',
    });
    var text = await response.text();
    try {
      return JSON.parse(text);
    } catch (e) {
      throw new Error('HTTP ' + response.status + ': ' + text.slice(0, 500));
    }
  }

  function fetcher(params, options) {
    var headers = (options && options.headers) || {};
    return isSubscription(params, options) ? subscribe(params, headers) : post(params, headers);
  }

  var defaultQuery = [
    '# Credentials go in the Headers tab below:',
    '#   { "Authorization": "Bearer <JWT>" } or { "X-Api-Key": "<key>" }',
    '# Subscriptions (graphql-ws) receive them as connectionParams.',
    '',
    'query Templates {',
    '  templates {',
    '    key',
    '    name',
    '    channels',
    '    languages',
    '  }',
    '}',
    '',
  ].join('\n');

  ReactDOM.createRoot(root).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: defaultQuery,
      defaultEditorToolsVisibility: 'headers',
      isHeadersEditorEnabled: true,
    }),
  );
})();
`;
