// Controls of the demo server's faults and simulator: demo only, never part of the library. Every tab shows the
// server's state, read over HTTP each second: while the server is silent, its sockets carry nothing, not even that.
const RATES = [0, 20, 200, 1000, 5000];
const STATE_EVERY_MS = 1000;

export function mountDemoControls(root: HTMLElement, httpUrl: string): void {
  const post = (path: string, body: unknown) =>
    fetch(`${httpUrl}${path}`, { method: 'POST', body: JSON.stringify(body) }).catch(() => undefined);
  root.innerHTML = `
    <div class="row">
      <button type="button" data-action="restart">Restart server</button>
      <button type="button" data-action="drop">Drop connections</button>
      <button type="button" data-action="silent" aria-pressed="false">Go silent</button>
    </div>
    <div class="row" role="group" aria-label="Simulator rate, events per second">
      <span class="muted">Rate</span>
      ${RATES.map((rate) => `<button type="button" data-rate="${rate}" aria-pressed="false">${rate}/s</button>`).join('')}
    </div>`;
  const button = (selector: string) => root.querySelector<HTMLButtonElement>(selector)!;
  button('[data-action="restart"]').addEventListener('click', () =>
    post('/faults/restart', { downMs: 1500 }),
  );
  button('[data-action="drop"]').addEventListener('click', () =>
    post('/faults/close-all', { code: 1012, reason: 'dropped by the demo' }),
  );
  const silent = button('[data-action="silent"]');
  silent.addEventListener('click', async () => {
    const on = silent.getAttribute('aria-pressed') !== 'true';
    silent.setAttribute('aria-pressed', String(on));
    const answer = await post('/faults/silence', { silent: on });
    if (answer?.ok) showSilent(((await answer.json()) as { silent: boolean }).silent);
  });
  const showSilent = (on: boolean) => silent.setAttribute('aria-pressed', String(on));
  const showRate = (rate: number | null) => {
    for (const b of root.querySelectorAll<HTMLButtonElement>('[data-rate]')) {
      b.setAttribute('aria-pressed', String(Number(b.dataset['rate']) === rate));
    }
  };
  for (const b of root.querySelectorAll<HTMLButtonElement>('[data-rate]')) {
    b.addEventListener('click', async () => {
      const answer = await post('/faults/simulator', { rate: Number(b.dataset['rate']) });
      if (answer?.ok) showRate(((await answer.json()) as { rate: number }).rate);
    });
  }
  const readState = () =>
    fetch(`${httpUrl}/demo/state`)
      .then((response) => response.json() as Promise<{ rate: number; silent: boolean }>)
      .then((state) => {
        showRate(state.rate);
        showSilent(state.silent);
      })
      .catch(() => undefined);
  void readState();
  setInterval(readState, STATE_EVERY_MS);
}
