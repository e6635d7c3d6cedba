import { expect, test } from 'vitest';
import { TabmuxError, toTabmuxError } from './errors.js';

test('an error that crossed the port keeps its code; anything else gets the fallback', () => {
  // What Comlink rebuilds in the tab from the hub's BadRequest: a plain Error with the fields copied over.
  const crossed = Object.assign(new Error('tabmux: `last` must be a boolean'), {
    name: 'TypeError',
    code: 'bad-request',
  });
  expect(toTabmuxError(crossed, 'transport-failed')).toMatchObject({
    name: 'TabmuxError',
    code: 'bad-request',
    message: 'tabmux: `last` must be a boolean',
  });
  expect(toTabmuxError(Object.assign(new Error('x'), { code: 'ENOENT' }), 'transport-failed').code).toBe(
    'transport-failed',
  );
  expect(toTabmuxError('text', 'closed')).toMatchObject({ code: 'closed', message: 'text' });
  const own = new TabmuxError('refused', 'no');
  expect(toTabmuxError(own, 'closed')).toBe(own);
});
