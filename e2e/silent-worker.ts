// A SharedWorker that accepts connections and never answers: what `'auto'` must not wait on forever.
(globalThis as unknown as { onconnect: (event: MessageEvent) => void }).onconnect = (event) => {
  event.ports[0]?.start();
};
