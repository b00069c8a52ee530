// The lab client's TCP traffic, one family at a time: a real exchange with the listening port
// (data, then a clean FIN close), then connection attempts to the firewalled and the closed port.
// Prints one JSON line per attempt so run.sh can check the lab behaved as designed.
import net from 'node:net';

const [host, listenPort, firewalledPort, closedPort, attemptsText] = process.argv.slice(2);
const attempts = Number(attemptsText);

function exchange(port) {
  return new Promise((resolve, reject) => {
    const message = 'hello from the tcpdump Lens lab\n';
    let echoed = '';
    const socket = net.connect({ host, port: Number(port) }, () => socket.write(message));
    socket.setEncoding('utf8');
    socket.on('data', (d) => {
      echoed += d;
      // Half-close only after the echo came back: client FIN, then the server's FIN.
      if (echoed === message) socket.end();
    });
    socket.on('error', reject);
    socket.on('close', (hadError) =>
      hadError
        ? null
        : resolve({
            port: Number(port),
            outcome: echoed === message ? 'echoed' : `short echo ${JSON.stringify(echoed)}`,
          }),
    );
  });
}

function attempt(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port: Number(port) });
    socket.setTimeout(3000, () => {
      socket.destroy();
      resolve({ port: Number(port), outcome: 'timeout' });
    });
    socket.on('connect', () => {
      socket.destroy();
      resolve({ port: Number(port), outcome: 'connected' });
    });
    socket.on('error', (err) => resolve({ port: Number(port), outcome: err.code ?? err.message }));
  });
}

const results = [await exchange(listenPort)];
for (let i = 0; i < attempts; i++) results.push({ ...(await attempt(firewalledPort)), role: 'firewalled' });
for (let i = 0; i < attempts; i++) results.push({ ...(await attempt(closedPort)), role: 'closed' });
results[0].role = 'listening';
for (const r of results) console.log(JSON.stringify(r));
