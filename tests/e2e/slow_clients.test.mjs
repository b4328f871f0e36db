// Clients that stop reading (a phone in a tunnel, a stalled proxy) must not
// take the server down: a handler's pooled database connection goes back when
// the handler is done, not when the client has read the whole answer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { startServer, request, login, DOCTOR } from './lib/server.mjs';

const within = (ms, promise, what) => Promise.race([
  promise,
  new Promise((_, reject) => setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms)),
]);

test('answers nobody reads do not hold the database: other clients are still served', async () => {
  // one worker: a pool of 3 database connections (workers + 2)
  const srv = await startServer({ args: ['--threads', '1'] });
  const stalled = [];
  try {
    const doc = await login(srv, DOCTOR);
    const p = await request(srv, 'POST', '/api/patients', {
      token: doc.token,
      body: { birth_family_name: 'Lenteur', birth_given_names: ['Paul'], sex: 'M', birth_date: '1944-02-10' },
    });
    assert.equal(p.status, 201, p.text);
    const me = await request(srv, 'GET', '/api/me', { token: doc.token });
    assert.equal(me.status, 200);

    // five clients (more than the pool) each send 4,000 requests at once
    // (HTTP/1.1 pipelining) and read nothing: their answers, ~2 MB each,
    // fill the socket buffers, and the server's next answer cannot leave
    const N = 4000;
    const ask = `GET /api/me HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${doc.token}\r\n\r\n`;
    for (let i = 0; i < 5; i++) {
      const s = net.connect(srv.port, '127.0.0.1');
      await once(s, 'connect');
      s.pause();
      s.write(ask.repeat(N));
      stalled.push(s);
    }
    await new Promise((r) => setTimeout(r, 1000));

    // everyone else is still served, database reads and writes alike
    const again = await within(5000, request(srv, 'GET', '/api/me', { token: doc.token }), 'GET /api/me');
    assert.equal(again.status, 200);
    const note = await within(5000, request(srv, 'POST', `/api/patients/${p.json.id}/notes`, {
      token: doc.token, body: { type: 'GEN', text: 'toujours là' },
    }), 'POST a note');
    assert.equal(note.status, 201, note.text);
    const page = await within(5000, request(srv, 'GET', `/api/patients/${p.json.id}/notes`, { token: doc.token }), 'the journal');
    assert.equal(page.status, 200);
    assert.equal(page.json.items.length, 1);

    // and a stalled client that reads at last gets all its answers
    const s = stalled[0];
    let text = '';
    s.setEncoding('latin1');
    s.on('data', (d) => { text += d; });
    s.resume();
    const answers = () => text.split('HTTP/1.1 200 OK').length - 1;
    await within(20000, (async () => { while (answers() < N) await new Promise((r) => setTimeout(r, 20)); })(),
      'the stalled answers');
    assert.equal(answers(), N);
    assert.ok(text.length > 1.5e6, `${text.length} bytes were waiting`);
  } finally {
    for (const s of stalled) s.destroy();
    // a server stuck for good would not stop either: kill it, and say so
    const stopped = await Promise.race([srv.close().then(() => true),
      new Promise((r) => setTimeout(() => r(false), 15000).unref())]);
    if (!stopped) {
      srv.child.kill('SIGKILL');
      assert.fail('the server did not stop within 15 s of SIGTERM');
    }
  }
});
