// Notifications: the feed, marking read, preferences, quiet hours, and the
// live stream (Server-Sent Events): delivery, resume, bounds, session end,
// graceful stop, wake-ups from another process and from another server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, startPeer, request, login, BACKEND, DOCTOR, NURSE, ADMIN } from './lib/server.mjs';

const COORD = { login: 'coord.dac', password: 'parcours-demo' };
let srv, doc, nurse, coord, admin, direct;

before(async () => {
  // quiet hours are in the server's local time: pin it
  srv = await startServer({ env: { TZ: 'UTC' } });
  [doc, nurse, coord, admin] = await Promise.all([login(srv, DOCTOR), login(srv, NURSE), login(srv, COORD), login(srv, ADMIN)]);
  const r = await api(doc, 'POST', '/api/conversations', { members: [nurse.user.id], title: 'Tournée' });
  assert.equal(r.status, 201, r.text);
  direct = r.json.conversation.id;
});
after(async () => {
  const { code } = await srv.stop();
  await srv.close();
  // with the sanitizer build, a report (leak, overflow, UB) fails the suite
  assert.doesNotMatch(srv.stderr(), /Sanitizer|runtime error/);
  assert.equal(code, 0);
});

function api(who, method, path, body, server = srv) {
  return request(server, method, path, { token: who.token, body });
}

/* The doctor writes to the nurse: one "message" notification for her. */
async function notifyNurse(text = 'Passage à 14 h ?', server = srv) {
  const r = await api(doc, 'POST', `/api/conversations/${direct}/messages`, { text }, server);
  assert.equal(r.status, 201, r.text);
  return r.json;
}

const feed = (who, q = '') => api(who, 'GET', '/api/notifications' + q);
const maxId = (userId) => Number(srv.sql(`SELECT COALESCE(max(id), 0) FROM notification WHERE user_id = ${userId}`));

/* Opens /api/notifications/stream with fetch and parses the events as they
 * come: {res, events, waitFor(pred, ms), ended, close()}. */
async function openStream(server, who, { lastEventId, query = '' } = {}) {
  const ac = new AbortController();
  const headers = { authorization: `Bearer ${who.token}` };
  if (lastEventId !== undefined) headers['last-event-id'] = String(lastEventId);
  const res = await fetch(server.base + '/api/notifications/stream' + query, { headers, signal: ac.signal });
  const s = { res, events: [], comments: [], ended: false, waiters: new Set() };
  const wake = () => { for (const w of s.waiters) w(); };
  if (res.status === 200) {
    (async () => {
      const dec = new TextDecoder();
      let pending = '';
      try {
        for await (const chunk of res.body) {
          pending += dec.decode(chunk, { stream: true });
          let i;
          while ((i = pending.indexOf('\n\n')) >= 0) {
            const block = pending.slice(0, i);
            pending = pending.slice(i + 2);
            const ev = {};
            for (const line of block.split('\n')) {
              if (line.startsWith(':')) { s.comments.push(line.slice(1).trim()); continue; }
              const k = line.indexOf(':');
              const field = line.slice(0, k), value = line.slice(k + 1).replace(/^ /, '');
              ev[field] = field === 'data' && ev.data !== undefined ? ev.data + '\n' + value : value;
            }
            if (ev.event || ev.data !== undefined) s.events.push(ev);
          }
          wake();
        }
      } catch { /* aborted */ }
      s.ended = true;
      wake();
    })();
  }
  s.notifications = () => s.events.filter((e) => e.event === 'notification').map((e) => ({ ...JSON.parse(e.data), sse_id: e.id }));
  s.waitFor = (pred, ms = 2000, what = 'events') => new Promise((resolve, reject) => {
    const check = () => {
      if (pred(s)) { s.waiters.delete(check); clearTimeout(timer); resolve(s); }
    };
    const timer = setTimeout(() => {
      s.waiters.delete(check);
      reject(new Error(`timeout waiting for ${what}; got ${JSON.stringify(s.events).slice(0, 500)}`));
    }, ms);
    s.waiters.add(check);
    check();
  });
  s.close = () => ac.abort();
  return s;
}

test('feed: newest first, paged, unread count and filter, mark read, read-all', async () => {
  await api(nurse, 'POST', '/api/notifications/read-all');
  const start = maxId(nurse.user.id);
  for (let i = 1; i <= 5; i++) await notifyNurse(`message ${i}`);
  let r = await feed(nurse, '?limit=2');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.unread_count, 5);
  assert.equal(r.json.items.length, 2);
  assert.equal(r.json.items[0].kind, 'message');
  assert.match(r.json.items[0].body, /message 5$/);
  assert.equal(r.json.items[0].object_id, direct);
  assert.equal(r.json.items[0].read_at, null);
  assert.equal(r.json.items[0].live, true);
  const ids = [];
  for (let cursor = null; ;) {
    r = await feed(nurse, '?limit=2' + (cursor ? `&before=${cursor}` : ''));
    ids.push(...r.json.items.map((n) => Number(n.id)).filter((id) => id > start));
    cursor = r.json.next_before;
    if (!cursor || ids.length >= 5) break;
  }
  assert.equal(ids.length, 5);
  assert.deepEqual(ids, [...ids].sort((a, b) => b - a));

  assert.equal((await api(nurse, 'POST', `/api/notifications/${ids[0]}/read`)).status, 204);
  assert.equal((await api(nurse, 'POST', `/api/notifications/${ids[0]}/read`)).status, 204, 'idempotent');
  r = await feed(nurse, '?unread=1');
  assert.equal(r.json.unread_count, 4);
  assert.ok(r.json.items.every((n) => n.read_at === null));
  assert.ok(!r.json.items.some((n) => Number(n.id) === ids[0]));

  // someone else's notification, or none at all: 404
  let other = await api(doc, 'POST', `/api/notifications/${ids[1]}/read`);
  assert.equal(other.status, 404);
  assert.equal(other.json.code, 'notification.not_found');
  assert.equal((await api(nurse, 'POST', '/api/notifications/99999999/read')).status, 404);
  assert.equal((await api(nurse, 'POST', '/api/notifications/abc/read')).status, 404);

  r = await api(nurse, 'POST', '/api/notifications/read-all');
  assert.equal(r.status, 200);
  assert.equal(r.json.marked, 4);
  assert.equal((await feed(nurse)).json.unread_count, 0);

  for (const q of ['?limit=0', '?limit=201', '?limit=x', '?before=-1', '?unread=2']) {
    r = await feed(nurse, q);
    assert.equal(r.status, 400, q);
    assert.equal(r.json.code, 'query.invalid');
  }
  assert.equal((await request(srv, 'GET', '/api/notifications')).status, 401);
});

test('preferences: validated; disabled kinds are not stored, urgent ones always are', async () => {
  let r = await api(nurse, 'GET', '/api/me/notification-preferences');
  assert.equal(r.status, 200);
  assert.deepEqual(r.json.disabled_kinds, []);
  assert.equal(r.json.quiet_hours, null);
  assert.ok(r.json.available_kinds.includes('mention'));

  const bad = [
    [{ disabled_kinds: ['nope'] }, 'preferences.kind', 'disabled_kinds'],
    [{ disabled_kinds: [1] }, 'field.type', 'disabled_kinds'],
    [{ disabled_kinds: 'message' }, 'field.type', 'disabled_kinds'],
    [{}, 'field.required', 'disabled_kinds'],
    [{ disabled_kinds: [], quiet_hours: { start: '25:00', end: '07:00' } }, 'preferences.quiet_hours', 'quiet_hours.start'],
    [{ disabled_kinds: [], quiet_hours: { start: '22:00', end: '7:00' } }, 'preferences.quiet_hours', 'quiet_hours.end'],
    [{ disabled_kinds: [], quiet_hours: { start: '22:00', end: '22:00' } }, 'preferences.quiet_hours', 'quiet_hours.end'],
    [{ disabled_kinds: [], quiet_hours: { start: '22:00' } }, 'field.required', 'end'],
    [{ disabled_kinds: [], quiet_hours: { start: '22:00', end: '07:00', tz: 'x' } }, 'field.unknown', 'quiet_hours.tz'],
    [{ disabled_kinds: [], quiet_hours: '22:00-07:00' }, 'field.type', 'quiet_hours'],
    [{ disabled_kinds: [], extra: 1 }, 'field.unknown', 'extra'],
  ];
  for (const [body, code, field] of bad) {
    r = await api(nurse, 'PUT', '/api/me/notification-preferences', body);
    assert.equal(r.status, 422, JSON.stringify(body) + r.text);
    assert.equal(r.json.code, code, r.text);
    assert.equal(r.json.field, field, r.text);
    assert.ok(r.json.detail);
  }
  assert.deepEqual((await api(nurse, 'GET', '/api/me/notification-preferences')).json.disabled_kinds, [], 'nothing stored');

  r = await api(nurse, 'PUT', '/api/me/notification-preferences', { disabled_kinds: ['message', 'message', 'note.new'], quiet_hours: { start: '22:00', end: '07:00' } });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.disabled_kinds, ['message', 'note.new']);
  assert.deepEqual(r.json.quiet_hours, { start: '22:00', end: '07:00' });
  assert.deepEqual((await api(nurse, 'GET', '/api/me/notification-preferences')).json.quiet_hours, { start: '22:00', end: '07:00' });

  const before = maxId(nurse.user.id);
  await notifyNurse('disabled kind');
  assert.equal(maxId(nurse.user.id), before, 'a disabled kind is not stored');
  await notifyNurse('hello @inf.bernard');
  r = await feed(nurse, '?limit=1');
  assert.equal(r.json.items[0].kind, 'mention', 'mentions were not disabled');

  // an urgent note reaches the nurse even though she disabled note.new
  const p = await api(doc, 'POST', '/api/patients', { birth_family_name: 'Urgent', birth_given_names: ['Anne'], sex: 'F', birth_date: '1940-02-02' });
  assert.equal(p.status, 201, p.text);
  assert.equal((await api(doc, 'POST', `/api/patients/${p.json.id}/circle`, { kind: 'professional', role: 'NURSE', user_id: nurse.user.id })).status, 201);
  const plain = maxId(nurse.user.id);
  assert.equal((await api(doc, 'POST', `/api/patients/${p.json.id}/notes`, { type: 'OBS', text: 'RAS' })).status, 201);
  assert.equal(maxId(nurse.user.id), plain, 'a plain note is filtered');
  assert.equal((await api(doc, 'POST', `/api/patients/${p.json.id}/notes`, { type: 'OBS', text: 'Chute', urgent: true })).status, 201);
  r = await feed(nurse, '?limit=1');
  assert.equal(r.json.items[0].kind, 'note.new');
  assert.equal(r.json.items[0].urgent, true);

  r = await api(nurse, 'PUT', '/api/me/notification-preferences', { disabled_kinds: [], quiet_hours: null });
  assert.equal(r.status, 200);
  assert.equal(r.json.quiet_hours, null);
});

const hhmm = (m) => {
  m = ((m % 1440) + 1440) % 1440;
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
};

test('quiet hours: stored in the feed, not pushed live; urgent ones are pushed', async () => {
  const now = new Date();
  const minute = now.getUTCHours() * 60 + now.getUTCMinutes();
  let r = await api(nurse, 'PUT', '/api/me/notification-preferences', { disabled_kinds: [], quiet_hours: { start: hhmm(minute - 60), end: hhmm(minute + 60) } });
  assert.equal(r.status, 200, r.text);
  const s = await openStream(srv, nurse);
  assert.equal(s.res.status, 200);
  const quiet = maxId(nurse.user.id);
  await notifyNurse('pendant les heures calmes');
  const stored = (await feed(nurse, '?limit=1')).json.items[0];
  assert.ok(Number(stored.id) > quiet);
  assert.match(stored.body, /heures calmes/);
  assert.equal(stored.live, false);
  assert.equal(stored.read_at, null);

  // an urgent note during quiet hours is pushed
  const p = await api(doc, 'POST', '/api/patients', { birth_family_name: 'Calme', birth_given_names: ['Paul'], sex: 'M', birth_date: '1938-03-03' });
  await api(doc, 'POST', `/api/patients/${p.json.id}/circle`, { kind: 'professional', role: 'NURSE', user_id: nurse.user.id });
  const urgent = await api(doc, 'POST', `/api/patients/${p.json.id}/notes`, { type: 'OBS', text: 'Fièvre', urgent: true });
  assert.equal(urgent.status, 201, urgent.text);
  await s.waitFor((x) => x.notifications().some((n) => n.urgent), 2000, 'the urgent note');

  // after the quiet hours, messages are pushed again; the quiet one never was
  await api(nurse, 'PUT', '/api/me/notification-preferences', { disabled_kinds: [], quiet_hours: null });
  await notifyNurse('après les heures calmes');
  await s.waitFor((x) => x.notifications().some((n) => /après/.test(n.body)), 2000, 'the message after quiet hours');
  assert.ok(!s.notifications().some((n) => /pendant/.test(n.body)), 'the quiet one was not pushed');
  s.close();
});

test('live stream: an event from another user arrives within 2 s, in SSE format', async () => {
  const s = await openStream(srv, nurse);
  assert.equal(s.res.status, 200);
  assert.match(s.res.headers.get('content-type'), /^text\/event-stream/);
  assert.equal(s.res.headers.get('cache-control'), 'no-store');
  await s.waitFor((x) => x.comments.includes('connected'), 2000, 'the first comment');
  const t0 = Date.now();
  await notifyNurse('en direct');
  await s.waitFor((x) => x.notifications().length === 1, 2000, 'the notification');
  const elapsed = Date.now() - t0;
  assert.ok(elapsed < 2000, `${elapsed} ms`);
  const [ev] = s.events;
  assert.equal(ev.event, 'notification');
  const n = JSON.parse(ev.data);
  assert.equal(ev.id, n.id);
  assert.equal(n.kind, 'message');
  assert.match(n.body, /en direct/);
  // only new ones: nothing from before the stream was opened
  assert.equal(s.notifications().length, 1);
  s.close();
  assert.equal((await request(srv, 'GET', '/api/notifications/stream')).status, 401);
  // EventSource authenticates with the session cookie
  const viaCookie = await fetch(srv.base + '/api/notifications/stream', { headers: { cookie: nurse.cookie } });
  assert.equal(viaCookie.status, 200);
  await viaCookie.body.cancel();
});

test('resume with Last-Event-ID (header or query); a bad one is refused', async () => {
  let s = await openStream(srv, nurse);
  await notifyNurse('avant la coupure');
  await s.waitFor((x) => x.notifications().length === 1);
  const last = s.events.at(-1).id;
  s.close();
  await notifyNurse('pendant la coupure 1');
  await notifyNurse('pendant la coupure 2');
  s = await openStream(srv, nurse, { lastEventId: last });
  await s.waitFor((x) => x.notifications().length === 2);
  assert.deepEqual(s.notifications().map((n) => n.body.replace(/^.*: /, '')), ['pendant la coupure 1', 'pendant la coupure 2']);
  await notifyNurse('après la reprise');
  await s.waitFor((x) => x.notifications().length === 3);
  s.close();

  s = await openStream(srv, nurse, { query: `?last_event_id=${last}` });
  await s.waitFor((x) => x.notifications().length === 3);
  s.close();

  for (const bad of ['abc', '-1', '1.5', '12345678901234567890']) {
    const r = await request(srv, 'GET', '/api/notifications/stream', { token: nurse.token, headers: { 'last-event-id': bad } });
    assert.equal(r.status, 400, bad);
    assert.equal(r.json.code, 'header.invalid');
    assert.equal(r.json.field, 'Last-Event-ID');
  }
  const q = await request(srv, 'GET', '/api/notifications/stream?last_event_id=x', { token: nurse.token });
  assert.equal(q.status, 400);
  assert.equal(q.json.field, 'last_event_id');
});

test('a notification written by another process reaches the stream (poll or LISTEN)', async () => {
  const s = await openStream(srv, nurse);
  await s.waitFor((x) => x.comments.includes('connected'));
  srv.sql(`INSERT INTO notification (user_id, kind, title, created_at) VALUES (${nurse.user.id}, 'message', 'écrit ailleurs', ${Date.now()})`);
  await s.waitFor((x) => x.notifications().some((n) => n.title === 'écrit ailleurs'), 2500, 'the foreign notification');
  s.close();
});

test('a flood of 500 notifications: the feed pages through all, the stream delivers all in order', async () => {
  const start = maxId(nurse.user.id);
  const s = await openStream(srv, nurse);
  await s.waitFor((x) => x.comments.includes('connected'));
  const total = 500;
  let next = 1;
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (next <= total) await notifyNurse(`flot ${next++}`);
  }));
  await s.waitFor((x) => x.notifications().length >= total, 20000, '500 events');
  const ids = s.notifications().map((n) => Number(n.id));
  assert.equal(ids.length, total);
  for (let i = 1; i < ids.length; i++) assert.ok(ids[i] > ids[i - 1], 'in order');
  assert.ok(ids.every((id) => id > start));
  assert.equal(new Set(s.notifications().map((n) => n.body)).size, total);
  s.close();

  const seen = [];
  let cursor = null, pages = 0;
  do {
    const r = await feed(nurse, '?limit=200' + (cursor ? `&before=${cursor}` : ''));
    assert.equal(r.status, 200);
    pages++;
    seen.push(...r.json.items.map((n) => Number(n.id)).filter((id) => id > start));
    cursor = r.json.next_before;
  } while (cursor && Number(cursor) > start + 1);
  assert.ok(pages >= 3);
  assert.deepEqual([...seen].sort((a, b) => a - b), ids);
});

test('bounded streams (503), expired sessions end their stream, stop does not wait for streams', async () => {
  const small = await startServer({ env: { PARCOURS_STREAM_MAX: '2', PARCOURS_STREAM_KEEPALIVE: '1' } });
  try {
    const [n2, d2] = await Promise.all([login(small, NURSE), login(small, DOCTOR)]);
    const a = await openStream(small, n2);
    const b = await openStream(small, d2);
    assert.equal(a.res.status, 200);
    assert.equal(b.res.status, 200);
    const c = await request(small, 'GET', '/api/notifications/stream', { token: n2.token });
    assert.equal(c.status, 503);
    assert.equal(c.json.code, 'stream.unavailable');
    assert.equal(c.headers.get('retry-after'), '30');

    // keep-alive comments flow; a closed client is noticed at the next one
    await a.waitFor((x) => x.comments.includes('keep-alive'), 3000, 'a keep-alive');
    b.close();
    let reopened;
    for (let i = 0; i < 50 && !reopened; i++) {
      const r = await openStream(small, d2);
      if (r.res.status === 200) reopened = r;
      else await new Promise((res) => setTimeout(res, 100));
    }
    assert.ok(reopened, 'a slot is free again once the dead stream is gone');

    // logging out ends the stream (checked at each keep-alive)
    assert.equal((await request(small, 'DELETE', '/api/session', { token: n2.token })).status, 204);
    await a.waitFor((x) => x.ended, 4000, 'the end of the stream');
    assert.ok(a.events.some((e) => e.event === 'session-expired'));

    // SIGTERM with a stream still open: the server ends it and exits promptly
    const t0 = Date.now();
    const { code } = await small.stop();
    assert.equal(code, 0);
    assert.ok(Date.now() - t0 < 3000, `stopped in ${Date.now() - t0} ms`);
    await reopened.waitFor((x) => x.ended, 2000, 'the stream to end on stop');
  } finally {
    await small.close();
  }
});

test('two servers on one PostgreSQL: an event produced on A reaches a stream on B', { skip: BACKEND !== 'postgres' && 'PostgreSQL only (one SQLite file has one server)' }, async () => {
  const peer = await startPeer(srv);
  try {
    const s = await openStream(peer, nurse); // sessions live in the shared database
    await s.waitFor((x) => x.comments.includes('connected'));
    const t0 = Date.now();
    await notifyNurse('de A vers B');
    await s.waitFor((x) => x.notifications().some((n) => /de A vers B/.test(n.body)), 2000, 'the event on B');
    assert.ok(Date.now() - t0 < 2000);
    // and the other way round
    const back = await openStream(srv, doc);
    await back.waitFor((x) => x.comments.includes('connected'));
    const r = await api(nurse, 'POST', `/api/conversations/${direct}/messages`, { text: 'de B vers A' }, peer);
    assert.equal(r.status, 201);
    await back.waitFor((x) => x.notifications().some((n) => /de B vers A/.test(n.body)), 2000, 'the event on A');
    s.close();
    back.close();
  } finally {
    await peer.close();
    assert.doesNotMatch(peer.stderr(), /Sanitizer|runtime error/);
  }
});

test('administrators have a feed too (empty) and cannot open a conversation', async () => {
  const r = await feed(admin);
  assert.equal(r.status, 200);
  assert.equal(r.json.unread_count, 0);
  const c = await api(admin, 'POST', '/api/conversations', { members: [doc.user.id] });
  assert.equal(c.status, 403);
  assert.equal(c.json.code, 'conversation.role');
  void coord;
});
