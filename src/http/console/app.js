import { credentials, resetConnections, session } from './api.js';
import { h, errorBox } from './dom.js';
import { VIEWS } from './views/index.js';

// One page, hash routes (#/customers, #/customer/C0000001…): every view is a module in views/ listed in views/index.js.
const main = document.getElementById('main');
const nav = document.getElementById('nav');
const who = document.getElementById('who');
let current = { dispose: () => undefined };
let me = null;

function match(hash) {
  const path = hash.replace(/^#/, '') || '/';
  for (const view of VIEWS) {
    const m = view.pattern.exec(path);
    if (m) return { view, params: m.groups || {} };
  }
  return null;
}

function allowed(view) {
  return !view.roles || (me && view.roles.includes(me.role));
}

function renderNav() {
  nav.replaceChildren(...VIEWS.filter((v) => v.menu && allowed(v) && (!v.menu.onlyFor || (me && v.menu.onlyFor === me.role))).map((v) => h('a', { href: `#${v.menu.href(me)}`, class: location.hash.startsWith(`#${v.menu.href(me)}`) ? 'active' : null }, v.menu.label)));
  who.replaceChildren(me ? h('span', {}, `${me.subject} (${me.role})`, ' ', h('button', { class: 'secondary', id: 'logout', onclick: logout }, 'Log out')) : '');
}

function logout() {
  credentials.clear();
  resetConnections();
  me = null;
  location.hash = '#/login';
}

async function route() {
  current.dispose();
  current = { dispose: () => undefined };
  if (!me && credentials.get()) {
    try { me = await session(); } catch { credentials.clear(); }
  }
  if (!me) {
    // Authentication off (development): the gateway says so, and every request is the development principal.
    try { const open = await session(null); if (open.open) me = open; } catch { /* credentials needed */ }
  }
  const found = match(location.hash);
  if (!me && (!found || found.view.name !== 'login')) {
    location.hash = '#/login';
    return;
  }
  if (!found) {
    location.hash = `#${me.role === 'portal' ? `/customer/${me.customerId}` : '/customers'}`;
    return;
  }
  renderNav();
  if (!allowed(found.view)) {
    main.replaceChildren(errorBox(new Error('This page is not available to you.')));
    return;
  }
  const dispose = [];
  const ctx = {
    me,
    params: found.params,
    onDispose: (fn) => dispose.push(fn),
    go: (hash) => { location.hash = hash; },
    signedIn: (who) => { me = who; },
  };
  current = { dispose: () => dispose.splice(0).forEach((fn) => fn()) };
  main.replaceChildren(h('p', { class: 'muted' }, 'Loading…'));
  try {
    const node = await found.view.render(ctx);
    main.replaceChildren(node);
  } catch (error) {
    main.replaceChildren(errorBox(error));
  }
}

window.addEventListener('hashchange', route);
route();
