// The operator console: sign-in, snapshot, live updates over SSE, panels.
import { createMap } from './map.js';

const $ = (id) => document.getElementById(id);
const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const time = (iso) => (iso ? new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' }) : '—');
const short = (id) => esc(String(id ?? '').slice(0, 8));

const state = { jobs: new Map(), vehicles: new Map(), feeds: new Map(), incidents: new Map(), selected: null, viewer: null };
let view;
let events;

async function api(path, init) {
  const res = await fetch(`api/${path}`, { credentials: 'same-origin', ...init });
  if (res.status === 401) {
    showSignIn('Your session ended or the token is not valid any more; sign in again.');
    throw new Error('unauthenticated');
  }
  if (!res.ok) throw new Error((await res.json().catch(() => ({}))).reason ?? `HTTP ${res.status}`);
  return res.json();
}

function showSignIn(message = '') {
  events?.close();
  $('sign-in').hidden = false;
  $('sign-in-error').textContent = message;
  $('live').className = 'live off';
  $('live').textContent = '● offline';
}

function renderJobs() {
  const jobs = [...state.jobs.values()].sort((a, b) => (b.updatedAt ?? '').localeCompare(a.updatedAt ?? ''));
  $('job-count').textContent = String(jobs.length);
  $('jobs').tBodies[0].innerHTML = jobs
    .map((j) => `<tr data-job-id="${esc(j.id)}" class="${j.id === state.selected ? 'selected' : ''}"><td class="mono" title="${esc(j.id)}">${short(j.id)}${state.viewer?.admin ? ` <span class="muted">${esc(j.operatorId)}</span>` : ''}</td><td class="status"><span class="badge ${esc(j.status)}">${esc(j.status)}</span></td><td>${esc(j.vehicleId) || '—'}</td><td>${time(j.eta)}</td></tr>`)
    .join('');
}

function renderVehicles() {
  const list = [...state.vehicles.values()].sort((a, b) => a.id.localeCompare(b.id));
  $('vehicle-count').textContent = String(list.length);
  $('vehicles').tBodies[0].innerHTML = list
    .slice(0, 200)
    .map((v) => {
      const pct = Math.round(v.batteryPct);
      const level = pct < 20 ? 'low' : pct < 50 ? 'mid' : '';
      return `<tr><td><i class="dot ${esc(v.status)}"></i> ${esc(v.id)}</td><td>${esc(v.status)}</td><td><span class="battery"><i class="${level}" style="width:${pct}%"></i></span> ${pct}%</td><td class="mono">${short(v.jobId)}</td></tr>`;
    })
    .join('');
}

function renderFeeds() {
  $('feeds').innerHTML = [...state.feeds.values()]
    .map((f) => `<li><span>${esc(f.feed)} <span class="muted">${esc(f.sourceTopic)}</span></span><span class="${f.state === 'STALE' ? 'stale' : 'fresh'}">${esc(f.state.toLowerCase())} · ${time(f.lastSeenAt)}</span></li>`)
    .join('') || '<li class="muted">no feed status yet</li>';
  const active = [...state.incidents.values()].filter((i) => i.active);
  $('incident-count').textContent = String(active.length);
  $('incidents').innerHTML = active.map((i) => `<li><span>${esc(i.kind)} · ${esc(i.severity)}</span><span class="muted">${esc(i.description).slice(0, 40)}</span></li>`).join('') || '<li class="muted">none active</li>';
}

async function renderDeadLetters() {
  const { webhooks, ingest } = await api('dead-letters');
  const rows = [
    ...webhooks.map((d) => `<tr><td>webhook</td><td>${esc(d.type)}</td><td title="${esc(d.reason)}">${esc(d.reason).slice(0, 28)}</td><td><button class="small" data-replay="${esc(d.id)}">Replay</button></td></tr>`),
    ...ingest.slice(0, 50).map((d) => `<tr><td>ingest</td><td>${esc(d.sourceTopic)}</td><td title="${esc(d.reason)}">${esc(d.errorCode)}: ${esc(d.reason).slice(0, 24)}</td><td>${time(d.rejectedAt)}</td></tr>`),
  ];
  $('dead-letters').tBodies[0].innerHTML = rows.join('') || '<tr><td class="muted">none</td></tr>';
}

async function selectJob(id) {
  state.selected = id;
  renderJobs();
  const { timeline } = await api(`jobs/${encodeURIComponent(id)}/timeline`);
  $('timeline').hidden = false;
  $('timeline').innerHTML = `<div class="mono">${esc(id)}</div>` + timeline.map((t) => `<div><time>${time(t.updatedAt)}</time><span class="badge ${esc(t.status)}">${esc(t.status)}</span> ${esc(t.vehicleId)} ${t.eta ? `ETA ${time(t.eta)}` : ''} <span class="muted">${esc(t.reason)}</span></div>`).join('');
}

const apply = {
  vehicle: (v) => { state.vehicles.set(v.id, v); view.setVehicle(v); },
  job: (j) => {
    const known = state.jobs.get(j.id);
    if (known && known.version > j.version) return;
    state.jobs.set(j.id, j);
    if (['DELIVERED', 'FAILED', 'CANCELLED'].includes(j.status)) view.clearRouteOfJob(j.id);
    if (j.id === state.selected) void selectJob(j.id);
  },
  route: (r) => view.setRoute(r),
  incident: (i) => { state.incidents.set(i.id, i); view.setIncident(i); },
  feed: (f) => state.feeds.set(f.feed, f),
  'ingest-dead-letter': () => void renderDeadLetters(),
  traffic: (t) => refreshCongestion(t.profile === 'SIDEWALK' ? 'sidewalk' : 'road'),
};

const pending = new Set();
function refreshCongestion(profile) {
  if (pending.has(profile)) return;
  pending.add(profile);
  setTimeout(async () => { pending.delete(profile); view.setCongestion(await api(`network?profile=${profile}`)); }, 2000);
}

let renderQueued = false;
function scheduleRender() {
  if (renderQueued) return;
  renderQueued = true;
  requestAnimationFrame(() => { renderQueued = false; renderJobs(); renderVehicles(); renderFeeds(); });
}

function connect(since) {
  events?.close();
  // Same-origin EventSource: the HttpOnly session cookie authenticates it; on reconnect the browser sends Last-Event-ID.
  events = new EventSource(`../events?since=${encodeURIComponent(since)}`);
  events.onopen = () => { $('live').className = 'live on'; $('live').textContent = '● live'; };
  events.onerror = () => { $('live').className = 'live off'; $('live').textContent = '● reconnecting'; };
  for (const kind of Object.keys(apply)) events.addEventListener(kind, (e) => { apply[kind](JSON.parse(e.data)); scheduleRender(); });
  // The gap since Last-Event-ID was longer than the server's replay buffer: start over from a snapshot.
  events.addEventListener('reset', () => void loadSnapshot());
}

async function start() {
  const me = await api('me');
  state.viewer = me.viewer;
  $('who').textContent = me.viewer.admin ? `admin ${me.principal.adminId ?? ''}` : `operator ${me.viewer.operatorId}`;
  $('queues-link').hidden = !me.viewer.admin;
  $('sign-out').hidden = false;
  $('sign-in').hidden = true;
  view ??= createMap($('map'));
  await loadSnapshot();
  for (const profile of ['sidewalk', 'road']) api(`network?profile=${profile}`).then(view.setNetwork, (err) => console.warn('network', err));
  void renderDeadLetters();
  setInterval(() => void renderDeadLetters().catch(() => {}), 10_000);
}

async function loadSnapshot() {
  const snap = await api('snapshot');
  snap.vehicles.forEach(apply.vehicle);
  if (snap.vehiclesError) console.warn(snap.vehiclesError);
  snap.jobs.forEach(apply.job);
  snap.routes.forEach(apply.route);
  snap.incidents.forEach(apply.incident);
  snap.feeds.forEach(apply.feed);
  scheduleRender();
  connect(snap.lastEventId);
}

$('sign-in-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const res = await fetch('api/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: $('token').value }) });
  $('token').value = '';
  if (!res.ok) return showSignIn(`Refused: ${(await res.json().catch(() => ({}))).reason ?? res.status}`);
  await start();
});
$('sign-out').addEventListener('click', async () => { await fetch('api/session', { method: 'DELETE' }); location.reload(); });
$('jobs').addEventListener('click', (e) => { const row = e.target.closest('tr[data-job-id]'); if (row) void selectJob(row.dataset.jobId); });
$('dead-letters').addEventListener('click', async (e) => {
  const id = e.target.dataset?.replay;
  if (!id) return;
  e.target.disabled = true;
  await api(`dead-letters/webhooks/${encodeURIComponent(id)}/replay`, { method: 'POST' });
  await renderDeadLetters();
});

// A session cookie from earlier still works: go straight in; otherwise the sign-in form stays up.
start().catch(() => showSignIn());
