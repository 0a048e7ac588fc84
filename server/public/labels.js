// The words the CLI and the PDFs use (reports/labels.ts, served as /labels.json), so that
// an indicator has one name and one unit everywhere.
const tables = { indicators: {}, features: {} };

export async function loadLabels() {
  const res = await fetch('/labels.json');
  if (res.ok) Object.assign(tables, await res.json());
}

export const indicatorName = (name) => tables.indicators[name]?.label ?? name.replace(/_/g, ' ');

export function indicatorValue(name, value) {
  if (value == null || !Number.isFinite(value)) return '–';
  const shown = Number.isInteger(value) ? String(value) : value.toFixed(Math.abs(value) >= 10 ? 1 : 3);
  const unit = tables.indicators[name]?.unit;
  return unit ? `${shown} ${unit}` : shown;
}
