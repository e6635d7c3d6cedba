#!/usr/bin/env node
// Stands in for Firefox when Playwright launches `channel: 'moz-firefox'`: starts Debian's firefox-esr with the same
// arguments and relays WebDriver BiDi between the two, answering one command itself.
//
// Why: Playwright 1.65 sends `emulation.setMediaFeaturesOverride` when it creates a browser context, and Firefox ESR
// 153 does not implement it (the other 40 commands Playwright sends, it does). The relay answers it with an empty
// success. It can go once the Firefox the tests use implements that command (check with TABMUX_FIREFOX pointing at
// the browser itself: contexts then open without "unknown command").
//
// $TABMUX_FIREFOX names the browser (default /usr/bin/firefox-esr). Playwright ends the process group, so the
// browser goes with this relay; it also exits when the browser does.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { WebSocket, WebSocketServer } from 'ws';

const ANSWERED_HERE = new Set(['emulation.setMediaFeaturesOverride']);
const browserPath = process.env.TABMUX_FIREFOX || '/usr/bin/firefox-esr';
if (!existsSync(browserPath)) {
  console.error(
    `firefox-bidi: no Firefox at ${browserPath}: install Debian's (apt-get install -y --no-install-recommends firefox-esr) or set TABMUX_FIREFOX`,
  );
  process.exit(1);
}

const firefox = spawn(browserPath, process.argv.slice(2), { stdio: ['ignore', 'pipe', 'pipe'] });
firefox.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => firefox.kill(signal));
firefox.stdout.pipe(process.stdout);

let buffered = '';
firefox.stderr.on('data', (chunk) => {
  buffered += chunk.toString();
  let newline;
  while ((newline = buffered.indexOf('\n')) >= 0) {
    const line = buffered.slice(0, newline);
    buffered = buffered.slice(newline + 1);
    const match = /WebDriver BiDi listening on (ws:\/\/\S+)/.exec(line);
    if (match) relay(match[1]);
    else process.stderr.write(`${line}\n`);
  }
});

function relay(upstream) {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  server.on('listening', () => {
    process.stderr.write(`WebDriver BiDi listening on ws://127.0.0.1:${server.address().port}\n`);
  });
  server.on('connection', (client, request) => {
    const browser = new WebSocket(`${upstream}${request.url ?? ''}`);
    const early = [];
    browser.on('open', () => early.splice(0).forEach((message) => browser.send(message)));
    browser.on('message', (data) => client.send(data.toString()));
    browser.on('close', () => client.close());
    browser.on('error', () => client.close());
    client.on('message', (data) => {
      const text = data.toString();
      let command;
      try {
        command = JSON.parse(text);
      } catch {
        command = null;
      }
      if (command && ANSWERED_HERE.has(command.method)) {
        client.send(JSON.stringify({ type: 'success', id: command.id, result: {} }));
        return;
      }
      if (browser.readyState === WebSocket.OPEN) browser.send(text);
      else early.push(text);
    });
    client.on('close', () => browser.close());
  });
}
