// Runs the reference server alone: `npm run server -- --port 8787 --faults`.
import { parseArgs } from 'node:util';
import { startReferenceServer } from './reference-server.js';

const { values } = parseArgs({
  options: { port: { type: 'string' }, faults: { type: 'boolean', default: false } },
});
const port = Number(values.port ?? process.env['SERVER_PORT'] ?? 8787);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port must be an integer from 0 to 65535; got ${values.port}`);
  process.exit(2);
}
const server = await startReferenceServer({ port, faults: values.faults });
console.log(
  `reference server: ${server.url} (stats: ${server.httpUrl}/stats${values.faults ? ', faults on' : ''})`,
);
