import { WebSocket } from 'partysocket';

(globalThis as Record<string, unknown>)['bench'] = (url: string) => new WebSocket(url);
