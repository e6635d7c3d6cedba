import { useState } from 'react';
import { useRequest, useStatus } from 'tabmux/react';
import { useChannel, usePublish, useSubscribe, type Price } from './channels.js';

export function App() {
  const [showPrices, setShowPrices] = useState(true);
  return (
    <main>
      <h1>
        Prices <StatusBadge />
      </h1>
      <button type="button" onClick={() => setShowPrices(!showPrices)}>
        {showPrices ? 'Hide prices' : 'Show prices'}
      </button>
      {showPrices && (
        <>
          <LatestPrice />
          <PriceList />
        </>
      )}
      <Actions />
    </main>
  );
}

/** The connection's state, the same in every tab. */
function StatusBadge() {
  const status = useStatus();
  return (
    <span className="badge" data-state={status.state} title={status.reason ?? ''}>
      {status.state}
    </span>
  );
}

/** The channel's latest message: re-renders on each. */
function LatestPrice() {
  const latest = useChannel('prices');
  return (
    <p className="latest">{latest ? `${latest.data.symbol} ${latest.data.eur.toFixed(2)} €` : 'waiting…'}</p>
  );
}

/** Every message, the newest first: a handler that sees each one. */
function PriceList() {
  const [prices, setPrices] = useState<(Price & { seq: number | null })[]>([]);
  useSubscribe('prices', (price, { seq }) => setPrices((list) => [{ ...price, seq }, ...list].slice(0, 10)));
  return (
    <ol className="prices">
      {prices.map((price, index) => (
        // A channel without sequence numbers gives `seq: null`; this one is numbered, the index is a fallback.
        <li key={price.seq ?? `at-${index}`} data-seq={price.seq ?? undefined}>
          {price.symbol} {price.eur.toFixed(2)} €
        </li>
      ))}
    </ol>
  );
}

/** Publishing from this tab (every tab sees it) and a request with its state. */
function Actions() {
  const publish = usePublish('prices');
  const quote = useRequest<{ echo: unknown }>();
  return (
    <p>
      <button type="button" onClick={() => void publish({ symbol: 'TABS', eur: 1 })}>
        Publish a price
      </button>{' '}
      <button type="button" onClick={() => void quote.request({ quote: 'TABS' })} disabled={quote.pending}>
        Ask the server
      </button>{' '}
      <output className="reply">
        {quote.pending
          ? 'asking…'
          : quote.error
            ? quote.error.message
            : quote.result
              ? JSON.stringify(quote.result)
              : ''}
      </output>
    </p>
  );
}
