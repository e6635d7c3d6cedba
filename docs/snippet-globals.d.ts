// What the docs' examples leave to the app they stand in: declared here, so that `npm run check:docs` type-checks
// the part each example is about.
declare function getToken(): Promise<string>;
declare function show(value: unknown): void;
declare function report(error: unknown): void;
declare function done(reason: string): void;
declare function render(value: unknown): void;
declare function refetch(channel: string): void;
declare function answer(data: unknown, identity: unknown): unknown;
declare function lastTen(room: string): unknown[];
declare const users: { byToken(token: string): Promise<{ id: string } | undefined> };
declare const io: import('socket.io').Server;
interface Order {
  id: string;
  total: number;
}
interface User {
  name: string;
}
