// A small MLLP client and receiver for the black-box tests of the HL7 v2
// interface, and helpers to build PAM FR messages.
import net from 'node:net';
import { startServer } from './server.mjs';

const SB = 0x0b, EB = 0x1c, CR = 0x0d;

/* Frames a message: 0x0B + bytes + 0x1C 0x0D. */
export function frame(msg) {
  const body = Buffer.isBuffer(msg) ? msg : Buffer.from(msg, 'utf8');
  return Buffer.concat([Buffer.from([SB]), body, Buffer.from([EB, CR])]);
}

/* Incremental decoder: push(chunk) returns the complete frames (Buffers). */
export function decoder() {
  let acc = Buffer.alloc(0);
  return {
    push(chunk) {
      acc = Buffer.concat([acc, chunk]);
      const out = [];
      for (;;) {
        const s = acc.indexOf(SB);
        if (s < 0) { acc = Buffer.alloc(0); break; }
        const e = acc.indexOf(EB, s + 1);
        if (e < 0 || e + 1 >= acc.length) { acc = acc.subarray(s); break; }
        out.push(acc.subarray(s + 1, e));
        acc = acc.subarray(e + 2);
      }
      return out;
    },
  };
}

/* A free TCP port on 127.0.0.1 (closed again; the caller binds it soon). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

/* `parcours serve --mllp` on a fresh database (options as startServer's). */
export async function startHl7Server(opts = {}) {
  // a port found free may be taken before the server binds it (by the
  // server's own HTTP listener on port 0, or a client's ephemeral port):
  // then try another one
  for (let attempt = 1; ; attempt++) {
    const port = opts.mllpPort || await freePort();
    try {
      const srv = await startServer({ ...opts, args: ['--mllp', `127.0.0.1:${port}`, ...(opts.args || [])] });
      srv.mllpPort = port;
      // the listener is up before the HTTP line is printed
      return srv;
    } catch (e) {
      if (opts.mllpPort || attempt === 3 || !/Address already in use/.test(String(e && e.message))) throw e;
    }
  }
}

/* A client connection. ack() resolves with the next ACK (text) in order. */
export async function connect(port) {
  const sock = net.createConnection({ host: '127.0.0.1', port });
  await new Promise((resolve, reject) => { sock.once('connect', resolve); sock.once('error', reject); });
  sock.setNoDelay(true);
  const dec = decoder();
  const frames = [];
  const waiters = [];
  let closed = false;
  sock.on('data', (d) => {
    for (const f of dec.push(d)) {
      const text = f.toString('utf8');
      const w = waiters.shift();
      if (w) { clearTimeout(w.timer); w.resolve(text); } else frames.push(text);
    }
  });
  const fail = () => { closed = true; for (const w of waiters.splice(0)) { clearTimeout(w.timer); w.reject(new Error('connection closed')); } };
  sock.on('close', fail);
  sock.on('error', fail);
  const client = {
    sock,
    get closed() { return closed; },
    /* Next ACK, within ms. */
    ack(ms = 10000) {
      if (frames.length) return Promise.resolve(frames.shift());
      if (closed) return Promise.reject(new Error('connection closed'));
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no ACK within ' + ms + ' ms')), ms);
        waiters.push({ resolve, reject, timer });
      });
    },
    write(bytes) { return new Promise((resolve) => sock.write(bytes, resolve)); },
    /* Sends one message and waits for its ACK. */
    async send(msg, ms) { await client.write(frame(msg)); return client.ack(ms); },
    close() { sock.end(); sock.destroy(); },
    waitClosed(ms = 5000) {
      if (closed) return Promise.resolve(true);
      return new Promise((resolve) => {
        const t = setTimeout(() => resolve(false), ms);
        sock.once('close', () => { clearTimeout(t); resolve(true); });
      });
    },
  };
  return client;
}

/* Fields of an ACK: {code, ref, err: {location, code, severity, text} | null, text}. */
export function parseAck(text) {
  const segs = text.split(/\r\n|\r|\n/).filter(Boolean);
  const get = (id) => segs.find((s) => s.startsWith(id + '|'))?.split('|');
  const msa = get('MSA') || [];
  const err = get('ERR');
  return {
    text,
    code: msa[1],
    ref: msa[2],
    err: err ? { location: err[2], code: (err[3] || '').split('^')[0], severity: err[4], text: err[8] } : null,
  };
}

/* A small MLLP receiver standing for the regional identity server: records
 * messages and answers each with answer(msg) -> 'AA' | 'AE' | 'AR' | null (no
 * answer). listen(port) may be called again after stop(). */
export function receiver(answer = () => 'AA') {
  let server = null;
  const sockets = new Set();
  const r = {
    messages: [],
    port: 0,
    async listen(port = 0) {
      server = net.createServer((sock) => {
        sockets.add(sock);
        const dec = decoder();
        sock.on('data', (d) => {
          for (const f of dec.push(d)) {
            const msg = f.toString('utf8');
            r.messages.push(msg);
            const code = answer(msg);
            if (!code) continue;
            const msh = msg.split('\r')[0].split('|');
            const ack = `MSH|^~\\&|S2RI|S2RI|${msh[2]}|${msh[3]}|20260101000000||ACK^${(msh[8] || '').split('^')[1] || ''}^ACK|R${msh[9]}|P|2.5\r` +
              `MSA|${code}|${msh[9]}\r` + (code === 'AA' ? '' : 'ERR|||207^Application internal error^HL70357|E||||Identité refusée par le S2RI\r');
            sock.write(frame(ack));
          }
        });
        sock.on('close', () => sockets.delete(sock));
        sock.on('error', () => {});
      });
      await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
      r.port = server.address().port;
      return r.port;
    },
    async stop() {
      for (const s of sockets) s.destroy();
      if (server) await new Promise((resolve) => server.close(resolve));
      server = null;
    },
  };
  return r;
}

/* INS with a valid key for a 13-digit NIR. */
export function ins(nir13) {
  return nir13 + String(97 - Number(BigInt(nir13) % 97n)).padStart(2, '0');
}

const TEST_OID = '1.2.250.1.213.1.4.10';

/* Builds a PAM FR ADT message (segments joined by CR).
 *   trigger, id (MSH-10), facility (MSH-4), ipp, authority, ins, family, given
 *   (first), givens (list), used, dob (YYYYMMDD), sex, birthplace, status (PID-32),
 *   klass (PV1-2), unit, movement (ZBE-1), action (ZBE-4), when (ZBE-2), original (ZBE-6),
 *   mrg (MRG-1 raw), extra (segments appended), charset (MSH-18), pid (raw PID replacing ours) */
export function adt(o) {
  const facility = o.facility ?? 'CHU-T';
  const structure = { A28: 'ADT_A05', A31: 'ADT_A05', A40: 'ADT_A39', A47: 'ADT_A30' }[o.trigger] || `ADT_${o.trigger}`;
  const now = o.ts || '20260101120000';
  const pid3 = [];
  if (o.ipp) pid3.push(`${o.ipp}^^^${o.authority || facility}&1.2.250.1.999.1&ISO^PI`);
  if (o.ins) pid3.push(`${o.ins}^^^ASIP-SANTE-INS-NIR&${o.insOid || TEST_OID}&ISO^INS^^20200101`);
  const names = [`${o.family || 'DUPONT'}^${o.given || 'JEAN'}^${o.givens ?? (o.given || 'JEAN')}^^^^L`];
  if (o.used) names.push(`${o.used}^${o.usedGiven || ''}^^^^^D`);
  const addr = `${o.address || '1 rue de la Paix'}^^${o.city || 'RENNES'}^^${o.postcode || '35000'}^FRA^H` +
    (o.birthplace ? `~^^^^^^BDL^^${o.birthplace}` : '');
  const pid = o.pid || ['PID', '1', '', pid3.join('~'), '', names.join('~'), '', o.dob || '19500101', o.sex || 'M', '', '', addr,
    ...Array(20).fill(''), o.status || ''].join('|');
  const segs = [
    `MSH|^~\\&|${o.app ?? 'GAM'}|${facility}|PARCOURS|PARCOURS|${now}||ADT^${o.trigger}^${structure}|${o.id}|P|2.5^FRA^2.11|||||FRA|${o.charset || 'UNICODE UTF-8'}|FR||2.11^IHE_FRANCE-2.11-PAM`,
    `EVN||${now}`,
    pid,
  ];
  if (o.mrg) segs.push(`MRG|${o.mrg}`);
  if (o.movement !== undefined || o.klass || o.unit) {
    segs.push(`PV1|1|${o.klass || 'I'}|${o.pointOfCare || ''}^^^${facility}&1.2.250.1.999.1&M^O^^||||||||||||||||${o.visit || 'V1'}^^^${facility}&1.2.250.1.999.1&M^VN`);
    segs.push(`ZBE|${o.movement}^${facility}^1.2.250.1.999.1^ISO|${o.when || now}||${o.action || 'INSERT'}|${o.historic || 'N'}|${o.original || ''}|${o.unit ? `${o.unit}^^^^^${facility}&1.2.250.1.999.1&N^UF^^^1234` : ''}|${o.unit ? `${o.unit}^^^^^${facility}&1.2.250.1.999.1&N^UF^^^1234` : ''}|HMS`);
  }
  if (o.extra) segs.push(...o.extra);
  return segs.join('\r');
}
