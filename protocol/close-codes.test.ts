import { expect, test } from 'vitest';
import { classifyClose, CloseCode } from './close-codes.js';

test('auth and policy closes ask for new credentials', () => {
  for (const code of [CloseCode.Unauthorized, CloseCode.Forbidden, CloseCode.PolicyViolation]) {
    expect(classifyClose(code)).toBe('auth');
  }
});

test('closes that say the client is broken are fatal', () => {
  for (const code of [1002, 1003, 1007, 1010, 1015]) expect(classifyClose(code)).toBe('fatal');
});

test('restarts, network drops, overload and unknown codes are retried', () => {
  for (const code of [1000, 1001, 1005, 1006, 1011, 1012, 1013, 1014, 4000, 4408, 4999]) {
    expect(classifyClose(code)).toBe('retry');
  }
});
