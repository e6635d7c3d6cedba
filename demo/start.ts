// `npm start`: the reference server and the demo's dev server, side by side.
import { createServer } from 'vite';
import { startReferenceServer } from './server/reference-server.js';

const serverPort = Number(process.env['SERVER_PORT'] ?? 8787);
const demoPort = Number(process.env['DEMO_PORT'] ?? 5173);
for (const [name, port] of [
  ['SERVER_PORT', serverPort],
  ['DEMO_PORT', demoPort],
] as const) {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    console.error(`${name} must be a port number from 1 to 65535; got ${process.env[name]}`);
    process.exit(2);
  }
}

// Fault controls are on here so the demo can show recovery; they are never on by default.
const server = await startReferenceServer({ port: serverPort, faults: true });
process.env['VITE_SERVER_PORT'] = String(server.port);
const vite = await createServer({ server: { port: demoPort, strictPort: true, host: '127.0.0.1' } });
await vite.listen();

console.log(`
  tabmux demo
  open   http://localhost:${demoPort}/   (in several tabs: they share one connection)
  server ${server.url}   stats: ${server.httpUrl}/stats
  publish: curl -d '{"hello":"tabs"}' ${server.httpUrl}/publish
`);
