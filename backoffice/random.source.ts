/**
 * A seeded pseudo-random source (mulberry32): fast, 32-bit state, and the same
 * sequence on every platform, so a seed always yields the same back-office data.
 * Not for anything security-related.
 */
export class RandomSource {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A source for one kind of record, so adding contracts never changes the customers. */
  static forStream(seed: number, stream: string): RandomSource {
    let hash = 0x811c9dc5 ^ (seed >>> 0);
    for (let i = 0; i < stream.length; i += 1) hash = Math.imul(hash ^ stream.charCodeAt(i), 0x01000193);
    return new RandomSource(hash);
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [min, max], both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick: expected a non-empty list, got an empty one');
    return items[Math.floor(this.next() * items.length)];
  }

  /** Picks a key by weight, e.g. `{ FR: 30, DE: 25 }`; for a table used in a loop, prepare a WeightedChoice once. */
  weighted<K extends string>(weights: Readonly<Record<K, number>> | WeightedChoice<K>): K {
    const choice = weights instanceof WeightedChoice ? weights : new WeightedChoice(weights);
    const roll = this.next() * choice.total;
    const { keys, bounds } = choice;
    for (let i = 0; i < keys.length - 1; i += 1) if (roll < bounds[i]) return keys[i];
    return keys[keys.length - 1];
  }

  /** A string of `length` random decimal digits (leading zeros allowed). */
  digits(length: number): string {
    let out = '';
    for (let i = 0; i < length; i += 1) out += String(Math.floor(this.next() * 10));
    return out;
  }
}

/** A weight table turned into cumulative bounds once. */
export class WeightedChoice<K extends string> {
  readonly keys: readonly K[];
  readonly bounds: readonly number[];
  readonly total: number;

  constructor(weights: Readonly<Partial<Record<K, number>>>) {
    const entries = Object.entries(weights).filter((entry): entry is [K, number] => typeof entry[1] === 'number' && entry[1] > 0);
    if (entries.length === 0) throw new RangeError('weighted: expected at least one positive weight, got none');
    let total = 0;
    this.keys = entries.map(([key]) => key);
    this.bounds = entries.map(([, weight]) => (total += weight));
    this.total = total;
  }
}
