// The ceiling: a SharedWorker that makes the messages itself and posts them to every tab in batches of 100 over a
// plain MessagePort. No socket, no codec: the fastest a fan-out inside one browser can go on this machine.
const ports: MessagePort[] = [];
const BATCH = 100;

// Yields to the event loop without the 4 ms clamp that nested setTimeout(0) gets after five levels.
const tick = new MessageChannel();
let resume: (() => void) | null = null;
tick.port1.onmessage = () => resume?.();
const yieldNow = () =>
  new Promise<void>((resolve) => {
    resume = resolve;
    tick.port2.postMessage(null);
  });

(globalThis as unknown as { onconnect: (event: MessageEvent) => void }).onconnect = (event) => {
  const port = event.ports[0]!;
  ports.push(port);
  port.onmessage = async (message: MessageEvent<{ count: number; rate: number }>) => {
    const { count, rate } = message.data;
    const started = performance.now();
    let sent = 0;
    while (sent < count) {
      // At a rate: what is due by now. As fast as possible: ten batches, then a yield so the tabs' ports drain.
      const due =
        rate === 0 ? sent + BATCH * 10 : Math.floor(((performance.now() - started) / 1000) * rate) + 1;
      while (sent < Math.min(due, count)) {
        const batch = [];
        for (let i = 0; i < BATCH && sent < Math.min(due, count); i++) {
          batch.push({ t: performance.timeOrigin + performance.now(), n: ++sent });
        }
        for (const target of ports) target.postMessage(batch);
      }
      if (rate === 0) await yieldNow();
      else await new Promise((resolve) => setTimeout(resolve, 1));
    }
  };
};
