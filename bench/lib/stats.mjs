// Medians and the figures the table prints.

export const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  if (!sorted.length) return NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

export const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};

/** Milliseconds a call takes. */
export async function timed(fn) {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

export const ms = (value) => `${value.toFixed(value < 10 ? 2 : 1)} ms`;
export const mb = (bytes) => `${(bytes / 1048576).toFixed(1)} MB`;
