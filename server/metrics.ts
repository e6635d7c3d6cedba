// `GET /metrics`: the server's numbers in Prometheus's text format (version 0.0.4), written by hand: a handful of
// counters and gauges need no client library.
import type { ServerStats } from './types.js';

/** What the broker says of itself at a scrape. */
export interface BrokerHealth {
  readonly up: boolean;
  /** The round trip of a health check, in seconds (Redis: a PING). */
  readonly latencySeconds: number;
  /** Publishes the broker could not take, since start. */
  readonly errors: number;
}

const REFUSALS: Readonly<Record<keyof ServerStats['refused'], string>> = {
  origin: 'origin',
  rateLimited: 'rate_limit',
  slowConsumers: 'slow_consumer',
  badFrames: 'bad_frame',
  tooManyChannels: 'too_many_channels',
  tooLarge: 'max_payload',
  authFailures: 'auth_failed',
  authTimeouts: 'auth_timeout',
  idle: 'idle',
  publishFailures: 'publish_failed',
  forbidden: 'forbidden',
};

export function prometheusText(stats: ServerStats, broker: BrokerHealth): string {
  const lines: string[] = [];
  const metric = (name: string, type: 'counter' | 'gauge', help: string, samples: [string, number][]) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) lines.push(`${name}${labels} ${value}`);
  };
  metric('tabmux_connections', 'gauge', 'Sockets open now.', [['', stats.connections]]);
  metric('tabmux_connections_total', 'counter', 'Sockets accepted since start.', [
    ['', stats.totalConnections],
  ]);
  metric('tabmux_subscriptions', 'gauge', 'Channel subscriptions of the open sockets.', [
    ['', stats.subscriptions],
  ]);
  metric('tabmux_channels', 'gauge', 'Channels with at least one subscribed socket here.', [
    ['', stats.channels],
  ]);
  metric('tabmux_messages_in_total', 'counter', 'Frames received from clients.', [['', stats.messagesIn]]);
  metric(
    'tabmux_messages_out_total',
    'counter',
    'Messages sent to clients (a batch frame carries several).',
    [['', stats.messagesOut]],
  );
  metric('tabmux_frames_out_total', 'counter', 'Frames sent to clients.', [['', stats.framesOut]]);
  metric('tabmux_bytes_out_total', 'counter', 'Bytes sent to clients.', [['', stats.bytesOut]]);
  metric('tabmux_published_total', 'counter', 'Messages published through this process.', [
    ['', stats.published],
  ]);
  metric(
    'tabmux_refused_total',
    'counter',
    'What the server refused, by cause.',
    Object.entries(REFUSALS).map(([key, cause]) => [
      `{cause="${cause}"}`,
      stats.refused[key as keyof ServerStats['refused']],
    ]),
  );
  metric('tabmux_broker_up', 'gauge', 'Whether the broker (Redis) answered the last health check.', [
    ['', broker.up ? 1 : 0],
  ]);
  metric('tabmux_broker_latency_seconds', 'gauge', "The broker's health check round trip.", [
    ['', broker.latencySeconds],
  ]);
  metric('tabmux_broker_errors_total', 'counter', 'Publishes the broker could not take.', [
    ['', broker.errors],
  ]);
  return `${lines.join('\n')}\n`;
}
