// The leader-tab peer as an app would ship it: tab-election plus a BroadcastChannel relay.
import { Tab } from 'tab-election';

(globalThis as Record<string, unknown>)['bench'] = (url: string, onFrame: (text: string) => void) => {
  const relay = new BroadcastChannel('relay');
  relay.onmessage = (event: MessageEvent<string>) => onFrame(event.data);
  const tab = new Tab('app');
  void tab.waitForLeadership(() => {
    const socket = new WebSocket(url);
    socket.onmessage = (event: MessageEvent<string>) => {
      relay.postMessage(event.data);
      onFrame(event.data);
    };
    return {};
  });
};
