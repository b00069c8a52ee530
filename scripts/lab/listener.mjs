// A genuinely listening TCP server for the lab's server namespace: echoes what it receives and
// closes its side once the client has closed its own, so the capture shows a clean FIN close.
import net from 'node:net';

const port = Number(process.argv[2]);
const server = net.createServer((socket) => {
  socket.on('data', (chunk) => socket.write(chunk));
  socket.on('end', () => socket.end());
  socket.on('error', (err) => console.error(`listener: ${err.message}`));
});
// '::' without ipv6Only accepts IPv4 too, so one listener serves both families.
server.listen({ port, host: '::' }, () => console.log(`listening on ${port}`));
process.on('SIGTERM', () => process.exit(0));
