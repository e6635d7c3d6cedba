/**
 * The package `tabmux/testing`: a test server with fault controls, and Playwright helpers for multi-tab tests.
 * @module tabmux/testing
 */
export {
  clientStatus,
  crashTab,
  expect,
  expectServerConnections,
  openTabs,
  test,
  waitForStatus,
  type CountsConnections,
  type TimeoutOptions,
} from './playwright.js';
export {
  startTestServer,
  type RequestHandler,
  type TestServer,
  type TestServerOptions,
  type TestServerStats,
} from './test-server.js';
