// What the hub loads on demand once sockets have failed: the HTTP fallback, and the probe that finds the way back.
export { HttpSocket } from './http-socket.js';
export { probeSocket } from './socket-probe.js';
