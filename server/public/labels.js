// The words the CLI and the PDFs use (reports/labels.ts, served as /labels.json), so that
// an indicator has one name and one unit everywhere; also the ring workflow's statuses and
// moves (storage/types.ts RING_TRANSITIONS), which the API enforces.
const tables = { indicators: {}, features: {}, ringTransitions: {} };

export async function loadLabels() {
  const res = await fetch('/labels.json');
  if (res.ok) Object.assign(tables, await res.json());
}

/** The ring statuses in workflow order. */
export const ringStatuses = () => Object.keys(tables.ringTransitions);

/** Where a ring in status `from` may move. */
export const ringMoves = (from) => tables.ringTransitions[from] ?? [];

export const indicatorName = (name) => tables.indicators[name]?.label ?? name.replace(/_/g, ' ');

export function indicatorValue(name, value) {
  if (value == null || !Number.isFinite(value)) return '–';
  const shown = Number.isInteger(value) ? String(value) : value.toFixed(Math.abs(value) >= 10 ? 1 : 3);
  const unit = tables.indicators[name]?.unit;
  return unit ? `${shown} ${unit}` : shown;
}
