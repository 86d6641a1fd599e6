// Client-side prober, run in the lab's client namespace: opens a NEW TCP connection to VIP:PORT every
// INTERVAL ms (no keep-alive) for at most DURATION ms, and prints one JSON line per request:
// {s: start ms, e: end ms, ok, body}. Times are Date.now() so the bench can line them up with faults.
import { request } from 'node:http';

const [host, port, durationMs, intervalMs, timeoutMs = '1000'] = process.argv.slice(2);
const end = Date.now() + Number(durationMs);
let inFlight = 0;

function probe() {
  const s = Date.now();
  inFlight++;
  const finish = (ok, body) => {
    inFlight--;
    process.stdout.write(`${JSON.stringify({ s, e: Date.now(), ok, body })}\n`);
  };
  const req = request({ host, port: Number(port), path: '/', agent: false, timeout: Number(timeoutMs) }, (res) => {
    let body = '';
    res.setEncoding('utf8');
    res.on('data', (c) => (body += c));
    res.on('end', () => finish(res.statusCode === 200, body));
    res.on('error', () => finish(false, ''));
  });
  req.on('timeout', () => req.destroy(new Error('timeout')));
  req.on('error', () => finish(false, ''));
  req.end();
}

const timer = setInterval(() => {
  if (Date.now() >= end) {
    clearInterval(timer);
    return;
  }
  probe();
}, Number(intervalMs));
process.on('SIGTERM', () => {
  clearInterval(timer);
  setTimeout(() => process.exit(0), Number(timeoutMs) + 100);
});
