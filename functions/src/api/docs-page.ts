import { createHash } from 'node:crypto';
// GET /api/docs: an interactive page for the OpenAPI document, entirely self-contained (no CDN,
// no framework: these machines, and many secure networks, cannot reach one). It reads
// ./openapi.json next to itself, lists every operation with its access rule and schemas, and
// sends real requests with a try-it form per operation, with the bearer token the user pastes or
// (on the emulator) gets by signing in with a demo user against the Auth emulator.

export interface DocsPageOptions {
  title: string;
  /** host:port of the Auth emulator, when the API runs on the Emulator Suite. */
  authEmulatorHost: string | undefined;
}

/**
 * The page's own Content-Security-Policy: its one inline script and style allowed by hash and
 * nothing else (Hosting's dashboard policy does not cover /api, so this page states its own).
 */
export function docsPagePolicy(html: string, authEmulatorHost: string | undefined): string {
  const hashes = (tag: 'script' | 'style') =>
    [...html.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))]
      .map((match) => `'sha256-${createHash('sha256').update(match[1]!).digest('base64')}'`)
      .join(' ');
  const connect = ["'self'", ...(authEmulatorHost ? [`http://${authEmulatorHost}`] : [])].join(' ');
  return [
    "default-src 'none'",
    `script-src ${hashes('script')}`,
    `style-src ${hashes('style')}`,
    `connect-src ${connect}`,
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export function docsPage(options: DocsPageOptions): string {
  const config = JSON.stringify({ authEmulatorHost: options.authEmulatorHost ?? null }).replace(/</g, '\\u003c');
  const title = options.title.replace(/[<>&"]/g, '');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} — interactive docs</title>
<style>
  :root { --bg:#0f1419; --panel:#172029; --line:#263341; --text:#d8e1ea; --muted:#8a9bab; --accent:#4fb3ff;
          --get:#2e9d5b; --post:#c7861f; --put:#3a74c9; --err:#e5534b; --ok:#3fb950; font-family: system-ui, sans-serif; }
  body { margin:0; background:var(--bg); color:var(--text); }
  header { padding:16px 24px; border-bottom:1px solid var(--line); display:flex; gap:24px; flex-wrap:wrap; align-items:end; }
  h1 { font-size:20px; margin:0 0 4px; } h2 { font-size:15px; margin:24px 0 8px; color:var(--muted); text-transform:uppercase; letter-spacing:.05em; }
  main { padding:8px 24px 48px; max-width:1100px; }
  .desc { color:var(--muted); white-space:pre-wrap; font-size:14px; margin:6px 0; }
  details.op { background:var(--panel); border:1px solid var(--line); border-radius:6px; margin:8px 0; }
  details.op > summary { cursor:pointer; padding:10px 12px; display:flex; gap:12px; align-items:center; list-style:none; }
  .method { font:600 12px monospace; padding:3px 8px; border-radius:4px; color:#fff; min-width:44px; text-align:center; }
  .method.get { background:var(--get); } .method.post { background:var(--post); } .method.put { background:var(--put); }
  .path { font-family:monospace; font-size:14px; } .summary { color:var(--muted); font-size:14px; }
  .access { margin-left:auto; font-size:12px; color:var(--muted); border:1px solid var(--line); border-radius:10px; padding:1px 8px; }
  .body { padding:0 12px 12px; }
  label { display:block; font-size:13px; margin:8px 0 2px; color:var(--muted); }
  input, select, textarea { background:#0b1016; color:var(--text); border:1px solid var(--line); border-radius:4px; padding:6px; font:13px monospace; }
  input, select { min-width:260px; } textarea { width:100%; min-height:140px; box-sizing:border-box; }
  button { background:var(--accent); color:#001526; border:0; border-radius:4px; padding:7px 14px; font-weight:600; cursor:pointer; margin-top:10px; }
  button.secondary { background:transparent; color:var(--accent); border:1px solid var(--accent); }
  pre { background:#0b1016; border:1px solid var(--line); border-radius:4px; padding:8px; overflow:auto; max-height:420px; font-size:12px; }
  .status.ok { color:var(--ok); } .status.err { color:var(--err); } .small { font-size:12px; color:var(--muted); }
.accent { color: var(--accent); }
</style>
</head>
<body>
<header>
  <div><h1 id="title">${title}</h1><div class="small" id="version"></div></div>
  <div>
    <label for="token">Bearer token (Firebase ID token)</label>
    <input id="token" type="password" placeholder="paste an ID token" autocomplete="off">
    <span class="small" id="whoami"></span>
  </div>
  <form id="signin" hidden>
    <label>Sign in on the Auth emulator (demo users: viewer@, analyst@, responder@, admin@threatstream.test)</label>
    <input id="email" type="email" placeholder="admin@threatstream.test" autocomplete="username">
    <input id="password" type="password" placeholder="password" autocomplete="current-password">
    <button type="submit" class="secondary">Sign in</button>
  </form>
</header>
<main>
  <div class="desc" id="description">Loading the OpenAPI document…</div>
  <div id="operations"></div>
  <h2>OpenAPI document</h2>
  <p class="small"><a id="spec-link" class="accent" href="openapi.json">openapi.json</a> (OpenAPI 3.1, generated from the API's zod schemas)</p>
</main>
<script>
"use strict";
const CONFIG = ${config};
// /api/docs on Hosting, or …/us-central1/api/docs on the function URL: requests go next to this page.
const BASE = location.pathname.replace(/\\/docs\\/?$/, '');
const tokenInput = document.getElementById('token');
tokenInput.value = sessionStorage.getItem('threatstream.token') || '';
tokenInput.addEventListener('input', () => { sessionStorage.setItem('threatstream.token', tokenInput.value.trim()); showWho(); });

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (key === 'class') node.className = value; else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children) if (child != null) node.append(child instanceof Node ? child : String(child));
  return node;
}

function showWho() {
  const who = document.getElementById('whoami');
  const token = tokenInput.value.trim();
  if (!token) { who.textContent = ''; return; }
  try {
    const claims = JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
    const expires = new Date(claims.exp * 1000);
    who.textContent = (claims.email || claims.user_id) + ' · role ' + (claims.role || '(none)') + ' · expires ' + expires.toLocaleTimeString();
  } catch { who.textContent = 'not a JWT'; }
}
showWho();

if (CONFIG.authEmulatorHost) {
  const form = document.getElementById('signin');
  form.hidden = false;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const url = 'http://' + CONFIG.authEmulatorHost + '/identitytoolkit.googleapis.com/v1/accounts:signInWithPassword?key=emulator';
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: document.getElementById('email').value, password: document.getElementById('password').value, returnSecureToken: true }) });
    const body = await response.json();
    if (!response.ok) { alert('Sign-in failed: ' + (body.error && body.error.message)); return; }
    tokenInput.value = body.idToken; sessionStorage.setItem('threatstream.token', body.idToken); showWho();
  });
}

function resolveRef(spec, schema) {
  let current = schema;
  for (let i = 0; current && current.$ref && i < 20; i++) current = current.$ref.split('/').slice(1).reduce((o, k) => o[k], spec);
  return current || {};
}

function exampleFor(spec, schema, depth) {
  schema = resolveRef(spec, schema);
  if (depth > 6) return null;
  if (schema.example !== undefined) return schema.example;
  if (schema.default !== undefined) return schema.default;
  if (schema.enum) return schema.enum[0];
  if (schema.anyOf || schema.oneOf) return exampleFor(spec, (schema.anyOf || schema.oneOf)[0], depth + 1);
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  if (type === 'object' || schema.properties) {
    const out = {};
    for (const [key, value] of Object.entries(schema.properties || {})) {
      if ((schema.required || []).includes(key)) out[key] = exampleFor(spec, value, depth + 1);
    }
    return out;
  }
  if (type === 'array') return [];
  if (type === 'integer' || type === 'number') return schema.minimum ?? 0;
  if (type === 'boolean') return false;
  if (type === 'string') return schema.format === 'date-time' ? new Date().toISOString() : 'string';
  return null;
}

function paramInput(spec, param) {
  const schema = resolveRef(spec, param.schema || {});
  const input = schema.enum
    ? el('select', { 'data-name': param.name, 'data-in': param.in }, ...(param.required ? [] : [el('option', { value: '' }, '(any)')]), ...schema.enum.map((v) => el('option', { value: v }, v)))
    : el('input', { 'data-name': param.name, 'data-in': param.in, placeholder: schema.default !== undefined ? 'default ' + schema.default : (param.required ? 'required' : 'optional') });
  return el('div', null, el('label', null, param.in + ' · ' + param.name + (param.required ? ' *' : '') + (param.description || schema.description ? ' — ' + (param.description || schema.description) : '')), input);
}

function operationView(spec, path, method, op) {
  const form = el('form');
  const params = op.parameters || [];
  for (const param of params) form.append(paramInput(spec, param));
  let bodyArea = null;
  const bodySpec = op.requestBody && op.requestBody.content && op.requestBody.content['application/json'];
  if (bodySpec) {
    const example = bodySpec.example !== undefined ? bodySpec.example : exampleFor(spec, bodySpec.schema, 0);
    bodyArea = el('textarea', { spellcheck: 'false' });
    bodyArea.value = JSON.stringify(example, null, 2);
    form.append(el('label', null, 'body (application/json)' + (op.requestBody.required ? ' *' : '')), bodyArea);
  }
  const result = el('div');
  form.append(el('button', { type: 'submit' }, 'Send'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    let url = BASE + path.replace(/^\\/api/, '');
    const query = new URLSearchParams();
    for (const input of form.querySelectorAll('[data-name]')) {
      const value = input.value.trim();
      if (input.dataset.in === 'path') url = url.replace('{' + input.dataset.name + '}', encodeURIComponent(value));
      else if (value !== '') query.set(input.dataset.name, value);
    }
    if ([...query].length) url += '?' + query;
    const headers = {};
    if (tokenInput.value.trim()) headers.authorization = 'Bearer ' + tokenInput.value.trim();
    const init = { method: method.toUpperCase(), headers };
    if (bodyArea && bodyArea.value.trim() !== '') { headers['content-type'] = 'application/json'; init.body = bodyArea.value; }
    result.replaceChildren(el('p', { class: 'small' }, init.method + ' ' + url + ' …'));
    const started = performance.now();
    try {
      const response = await fetch(url, init);
      const text = await response.text();
      let shown = text;
      try { shown = JSON.stringify(JSON.parse(text), null, 2); } catch {}
      const interesting = ['content-type', 'retry-after', 'ratelimit-limit', 'ratelimit-remaining', 'allow'];
      const headerLines = interesting.filter((h) => response.headers.has(h)).map((h) => h + ': ' + response.headers.get(h)).join('\\n');
      result.replaceChildren(
        el('p', null, el('span', { class: 'status ' + (response.ok ? 'ok' : 'err') }, response.status + ' ' + response.statusText), el('span', { class: 'small' }, '  ' + Math.round(performance.now() - started) + ' ms · ' + init.method + ' ' + url)),
        el('pre', null, headerLines), el('pre', null, shown));
    } catch (error) {
      result.replaceChildren(el('p', { class: 'status err' }, 'Request failed: ' + error.message));
    }
  });
  const responses = Object.entries(op.responses || {}).map(([status, r]) => status + ' — ' + (r.description || '')).join('\\n');
  const schemaToggle = el('details', null, el('summary', { class: 'small' }, 'Schemas'),
    el('pre', null, JSON.stringify({ parameters: params, requestBody: op.requestBody, responses: op.responses }, null, 2)));
  const role = op['x-required-role'];
  const access = !op.security ? 'public' : role ? role + '+' : 'token';
  return el('details', { class: 'op', id: op.operationId },
    el('summary', null, el('span', { class: 'method ' + method }, method.toUpperCase()), el('span', { class: 'path' }, path), el('span', { class: 'summary' }, op.summary || ''), el('span', { class: 'access' }, access)),
    el('div', { class: 'body' }, el('div', { class: 'desc' }, op.description || ''), el('div', { class: 'desc' }, responses), schemaToggle, form, result));
}

async function main() {
  const response = await fetch(BASE + '/openapi.json');
  const spec = await response.json();
  document.getElementById('version').textContent = 'OpenAPI ' + spec.openapi + ' · version ' + spec.info.version;
  document.getElementById('description').textContent = spec.info.description || '';
  document.getElementById('spec-link').href = BASE + '/openapi.json';
  const byTag = new Map();
  for (const [path, item] of Object.entries(spec.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const tag = (op.tags && op.tags[0]) || 'other';
      if (!byTag.has(tag)) byTag.set(tag, []);
      byTag.get(tag).push(operationView(spec, path, method, op));
    }
  }
  const container = document.getElementById('operations');
  for (const [tag, views] of byTag) container.append(el('h2', null, tag), ...views);
}
main().catch((error) => { document.getElementById('description').textContent = 'Could not load openapi.json: ' + error.message; });
</script>
</body>
</html>
`;
}
