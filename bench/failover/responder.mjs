// A tiny HTTP responder standing in for nginx on a lab host (nginx is not built in these hosts by the
// bench): answers every request with the host's name. Run inside the host's network namespace.
import { createServer } from 'node:http';

const [name = 'unknown', port = '8080'] = process.argv.slice(2);
const server = createServer((request, response) => {
  response.setHeader('connection', 'close');
  response.end(name);
});
server.listen(Number(port), '0.0.0.0', () => process.stdout.write(`listening ${name} ${port}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
