import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createClient } from 'tabmux';
import { TabmuxProvider } from 'tabmux/react';
import { App } from './App.js';
import type { Channels } from './channels.js';

// One client per page, made outside any component. `?ws=` points it at another server (the tests' own).
const client = createClient<Channels>({
  url: new URLSearchParams(location.search).get('ws') ?? 'ws://localhost:8787/',
  worker: (name) =>
    new SharedWorker(new URL('tabmux/worker', import.meta.url), {
      type: 'module',
      name,
      extendedLifetime: true,
    }),
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <TabmuxProvider client={client}>
      <App />
    </TabmuxProvider>
  </StrictMode>,
);
