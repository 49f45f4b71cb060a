// Charts drawn by uPlot (loaded by index.html from its WebJar as the global uPlot). A chart is a
// picture for sighted users only: it is marked as an image with a label, and every number it shows
// is also in a table beside it, which is what screen readers and copy-paste use.

import {count} from './format.js';

const COLORS = ['#0b57d0', '#b3261e', '#146c2e', '#7c4a03'];
const AXIS = {stroke: '#1f1f1f', grid: {stroke: '#e0e0e0', width: 1}, ticks: {stroke: '#c4c4c4', width: 1}};

/**
 * Draws into host. x: times in seconds (time axis in the browser's zone), or, with `labels`, the
 * indexes of the named groups (ordinal axis, labelled as the API names them). series: [{label,
 * values, bars}]. Returns {destroy}.
 */
export function drawChart(host, {x, labels, series, yLabel, description, height = 220}) {
  host.setAttribute('role', 'img');
  host.setAttribute('aria-label', description);
  const widthOf = () => Math.max(260, host.clientWidth || 600);
  const uPlot = globalThis.uPlot;
  const plot = new uPlot({
    width: widthOf(),
    height,
    scales: {
      x: labels ? {time: false, distr: 2} : {time: true},
      y: {range: (u, min, max) => [0, Math.max(1, max) * 1.1]},
    },
    axes: [
      {...AXIS, ...(labels ? {space: 70, values: (u, splits) => splits.map((i) => labels[i] ?? '')} : {})},
      {...AXIS, label: yLabel, values: (u, splits) => splits.map(count), size: 60},
    ],
    series: [{}, ...series.map((s, i) => ({
      label: s.label,
      stroke: COLORS[i % COLORS.length],
      width: 2,
      fill: s.bars ? `${COLORS[i % COLORS.length]}40` : undefined,
      paths: s.bars ? uPlot.paths.bars({size: [0.7, 48]}) : undefined,
      value: (u, v) => count(v),
    }))],
    cursor: {drag: {x: false, y: false}},
    // The legend names the series; the values under the pointer would repeat the table, less accessibly.
    legend: {live: false},
  }, [x, ...series.map((s) => s.values)], host);
  const resize = new ResizeObserver(() => plot.setSize({width: widthOf(), height}));
  resize.observe(host);
  return {
    update(newX, values) {
      plot.setData([newX, ...values]);
    },
    destroy() {
      resize.disconnect();
      plot.destroy();
    },
  };
}
