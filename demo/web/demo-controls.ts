// Controls of the reference server's fault and simulator endpoints: demo only, never part of the library.
const RATES = [0, 20, 200, 1000, 5000];

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
  silent.addEventListener('click', () => {
    const on = silent.getAttribute('aria-pressed') !== 'true';
    silent.setAttribute('aria-pressed', String(on));
    void post('/faults/silence', { silent: on });
  });
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
  void fetch(`${httpUrl}/stats`)
    .then((response) => response.json() as Promise<{ rate: number | null }>)
    .then((stats) => showRate(stats.rate))
    .catch(() => undefined);
}
