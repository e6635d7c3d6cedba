// `npm start`: the demo server (tabmux's test server with the simulator) and the dashboard's dev server, side by side.
// `npm start -- --prod` (or `npm run preview`) builds the dashboard and serves the built files instead.
import { parseArgs } from 'node:util';
import { build, createServer, preview } from 'vite';
import { startDemoServer } from './server/demo-server.js';

const { values } = parseArgs({ options: { prod: { type: 'boolean', default: false } } });
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
// The dashboard's own pages (and tools on this machine) may use them; pages of other origins may not.
const pages = [`http://localhost:${demoPort}`, `http://127.0.0.1:${demoPort}`];
const server = await startDemoServer({
  port: serverPort,
  faults: { origins: pages },
  simulator: { rate: 20 },
});
process.env['VITE_SERVER_PORT'] = String(server.port);
const listen = { port: demoPort, strictPort: true, host: '127.0.0.1' };
if (values.prod) {
  await build({ logLevel: 'warn' });
  await preview({ preview: listen });
} else {
  const vite = await createServer({ server: listen });
  await vite.listen();
}

console.log(`
  tabmux demo${values.prod ? ' (production build)' : ''}
  open   http://localhost:${demoPort}/   (in several tabs: they share one connection)
  server ${server.url}   stats: ${server.httpUrl}/stats
`);
