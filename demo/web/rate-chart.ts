// Events per second over the last minutes, drawn by uPlot (small, fast, canvas-based).
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

const WINDOW_S = 300;

export function createRateChart(root: HTMLElement) {
  const times: number[] = [];
  const rates: number[] = [];
  const plot = new uPlot(
    {
      width: Math.max(300, root.clientWidth),
      height: 220,
      legend: { show: false },
      cursor: { show: false },
      scales: { x: { time: true }, y: { range: (_, __, max) => [0, Math.max(10, max * 1.15)] } },
      axes: [
        { stroke: '#677185', grid: { stroke: '#eef1f6' } },
        { stroke: '#677185', grid: { stroke: '#eef1f6' }, size: 56 },
      ],
      series: [
        {},
        { stroke: '#3266d6', width: 2, fill: 'rgba(50, 102, 214, 0.12)', points: { show: false } },
      ],
      // Fixed to UTC so that the same data draws the same picture anywhere.
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
    },
    [times, rates],
    root,
  );
  new ResizeObserver(() => plot.setSize({ width: Math.max(300, root.clientWidth), height: 220 })).observe(
    root,
  );

  return {
    /** Adds a point (epoch ms, events per second); points older than the window fall off. */
    add(at: number, perSecond: number) {
      const t = at / 1000;
      if (times.length > 0 && t <= times[times.length - 1]!) return;
      times.push(t);
      rates.push(perSecond);
      while (times.length > 0 && times[0]! < t - WINDOW_S) {
        times.shift();
        rates.shift();
      }
      plot.setData([times, rates]);
    },
  };
}
