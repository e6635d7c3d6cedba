import { expect, test } from 'vitest';
import { createPendingRequests } from './pending-requests.js';

test('a request is found by the id the server sees, once', () => {
  const requests = createPendingRequests<string>('hub');
  const started = requests.start('tab-a', 'r1')!;
  expect(started.hubId).toBe('hub:1');
  expect(requests.take(started.hubId)).toMatchObject({ tab: 'tab-a', requestId: 'r1' });
  expect(requests.take(started.hubId)).toBeUndefined();
  expect(requests.size).toBe(0);
});

test("tabs choose their ids freely: two tabs' requests of one id are two requests, each cancelled apart", () => {
  const requests = createPendingRequests<string>('hub');
  const a = requests.start('tab-a', 'same')!;
  const b = requests.start('tab-b', 'same')!;
  expect(requests.start('tab-a', 'same')).toBeNull();
  requests.cancel('tab-a', 'same');
  expect(requests.take(a.hubId)).toBeUndefined();
  expect(requests.take(b.hubId)).toMatchObject({ tab: 'tab-b' });
});

test('a tab that leaves takes its requests with it; the socket closing fails only those on the wire', () => {
  const requests = createPendingRequests<string>('hub');
  requests.start('tab-a', 'r1');
  const sent = requests.start('tab-b', 'r1')!;
  requests.start('tab-b', 'r2');
  sent.pending.sent = true;
  requests.dropTab('tab-a');
  const failed: string[] = [];
  requests.failSent((pending) => failed.push(`${pending.tab}/${pending.requestId}`));
  expect(failed).toEqual(['tab-b/r1']);
  expect(requests.size).toBe(1);
});
