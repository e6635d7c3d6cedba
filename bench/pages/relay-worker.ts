// A bare shared socket: a SharedWorker that opens one WebSocket and posts each frame's messages to every tab, with
// nothing else (no reconnect, no channels bookkeeping, no lifetimes). Against it, tabmux's own cost shows apart
// from what any shared socket pays on this machine: the server, the frames, the parse and the copies to the tabs.
const ports: MessagePort[] = [];
let socket: WebSocket | null = null;

interface Message {
  type?: string;
  data?: unknown;
  messages?: Message[];
}

(globalThis as unknown as { onconnect: (event: MessageEvent) => void }).onconnect = (event) => {
  const port = event.ports[0]!;
  ports.push(port);
  port.onmessage = (message: MessageEvent<{ url: string; channel: string }>) => {
    if (socket) return;
    const { url, channel } = message.data;
    socket = new WebSocket(url);
    socket.onopen = () => socket?.send(JSON.stringify({ type: 'subscribe', channel }));
    socket.onmessage = (frame: MessageEvent<string>) => {
      const parsed = JSON.parse(frame.data) as Message;
      const items = parsed.type === 'batch' ? (parsed.messages ?? []) : [parsed];
      const batch = items.flatMap((item) => (item.type === 'message' ? [item.data] : []));
      if (batch.length > 0) for (const target of ports) target.postMessage(batch);
    };
  };
};
export {};
