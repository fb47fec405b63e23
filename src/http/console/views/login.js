import { credentials, resetConnections, session } from '../api.js';
import { h, errorBox } from '../dom.js';

export const loginView = {
  name: 'login',
  pattern: /^\/login$/,
  roles: null,
  async render(ctx) {
    const kind = h('select', { id: 'login-kind', name: 'kind' }, h('option', { value: 'apiKey' }, 'API key'), h('option', { value: 'token' }, 'Token (JWT)'));
    const value = h('input', { id: 'login-secret', name: 'secret', type: 'password', autocomplete: 'off', required: true });
    const message = h('div');
    const form = h('form', {
      id: 'login',
      onsubmit: async (event) => {
        event.preventDefault();
        const creds = { kind: kind.value, value: value.value.trim() };
        try {
          const who = await session(creds);
          credentials.set(creds);
          resetConnections();
          ctx.signedIn(who);
          ctx.go(who.role === 'portal' ? `#/customer/${who.customerId}` : '#/customers');
        } catch (error) {
          message.replaceChildren(errorBox(error));
        }
      },
    }, h('label', { for: 'login-kind' }, 'Sign in with'), kind, h('label', { for: 'login-secret' }, 'Credential'), value, h('div', {}, h('button', { type: 'submit' }, 'Sign in')), message);
    return h('section', {}, h('h1', {}, 'Sign in'), h('p', { class: 'muted' }, 'The same credentials as the API: an API key or a bearer token.'), form);
  },
};
