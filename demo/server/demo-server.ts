// The demo's server: tabmux's test server (the real tabmux/server with fault controls) and the traffic simulator.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, reply } from '../../server/http-routes.js';
import { startTestServer, type TestServer, type TestServerOptions } from '../../testing/test-server.js';
import { createSimulator, type Simulator } from './simulator.js';

export interface DemoServer extends TestServer {
  readonly simulator: Simulator;
}

/** `simulator.rate`: events per second to start with (0 is idle). Adds `POST /faults/simulator {rate}`. */
export async function startDemoServer(
  options: TestServerOptions & { simulator?: { rate?: number; seed?: number } } = {},
): Promise<DemoServer> {
  let server!: TestServer;
  const simulator = createSimulator({
    ...options.simulator,
    publish: (channel, data) => void server.publishTo(channel, data),
  });
  async function simulatorRoute(request: IncomingMessage, response: ServerResponse): Promise<boolean> {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    if (path === '/demo/state' && request.method === 'GET')
      return reply(response, 200, { rate: simulator.rate, silent: server.silent });
    if (path !== '/faults/simulator' || request.method !== 'POST') return false;
    try {
      simulator.setRate(Number((JSON.parse(await readBody(request, 1024)) as { rate?: unknown }).rate));
    } catch (error) {
      return reply(response, 400, { error: (error as Error).message });
    }
    return reply(response, 200, { rate: simulator.rate });
  }
  server = await startTestServer({ faults: true, ...options, routes: [simulatorRoute] });
  simulator.start();
  const close = server.close.bind(server);
  return Object.assign(server, {
    simulator,
    async close() {
      simulator.stop();
      await close();
    },
  });
}
