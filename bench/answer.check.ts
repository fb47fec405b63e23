import { isDeepStrictEqual } from 'node:util';

/**
 * Where two JSON values first differ, as a path with both values, e.g.
 * `customer.contracts[2].product.name: "Home Basic" vs null`; null when equal.
 * Object keys may come in any order.
 */
export function firstDifference(a: unknown, b: unknown, path = ''): string | null {
  if (isDeepStrictEqual(a, b)) return null;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return `${path || '(root)'}: ${a.length} items vs ${b.length}`;
    for (let i = 0; i < a.length; i += 1) {
      const found = firstDifference(a[i], b[i], `${path}[${i}]`);
      if (found) return found;
    }
  }
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const key of keys) {
      const found = firstDifference((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], path ? `${path}.${key}` : key);
      if (found) return found;
    }
  }
  const show = (v: unknown): string => (v === undefined ? 'absent' : JSON.stringify(v).slice(0, 120));
  return `${path || '(root)'}: ${show(a)} vs ${show(b)}`;
}
