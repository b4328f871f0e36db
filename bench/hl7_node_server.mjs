// node-hl7-server (npm, pinned in package.json) receiving HL7 v2 over MLLP and
// answering AA to every message, for the comparison in bench/hl7.sh. It
// stores nothing: an upper bound for "receive and acknowledge" in Node.
//   node bench/hl7_node_server.mjs PORT     (prints "listening on 127.0.0.1:PORT")
import { Server } from 'node-hl7-server';

const port = Number(process.argv[2] || 0);
const server = new Server({ bindAddress: '127.0.0.1' });
const inbound = server.createInbound({ port }, async (req, res) => {
  await res.sendResponse('AA');
});
inbound.on('listen', () => {
  console.log(`node-hl7-server listening on 127.0.0.1:${inbound._socket.address().port}`);
});
const stop = async () => { await inbound.close(); process.exit(0); };
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
