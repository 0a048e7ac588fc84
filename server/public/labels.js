// The words the CLI and the PDFs use (reports/labels.ts, served as /labels.json), so that
// an indicator has one name and one unit everywhere, and a platform one colour; also the ring
// workflow's statuses and moves (storage/types.ts RING_TRANSITIONS), which the API enforces.
const tables = { indicators: {}, features: {}, ringTransitions: {}, platforms: {} };

export async function loadLabels() {
  const res = await fetch('/labels.json');
  if (res.ok) Object.assign(tables, await res.json());
}

/** The ring statuses in workflow order. */
export const ringStatuses = () => Object.keys(tables.ringTransitions);

/** Where a ring in status `from` may move. */
export const ringMoves = (from) => tables.ringTransitions[from] ?? [];

/** The crawled platforms' ids, in their registry's order (crawlers/platforms/registry.ts). */
export const platformIds = () => Object.keys(tables.platforms);

/** A platform's graph colour; grey for import sources. */
export const platformColour = (id) => tables.platforms[id]?.colour ?? '#555';

export const indicatorName = (name) => tables.indicators[name]?.label ?? name.replace(/_/g, ' ');

export function indicatorValue(name, value) {
  if (value == null || !Number.isFinite(value)) return '–';
  const shown = Number.isInteger(value) ? String(value) : value.toFixed(Math.abs(value) >= 10 ? 1 : 3);
  const unit = tables.indicators[name]?.unit;
  return unit ? `${shown} ${unit}` : shown;
}
