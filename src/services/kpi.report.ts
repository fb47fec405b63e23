import type { Channel, InteractionChannel } from '../domain';
import type { KpiGroupRow, KpiRows, ReadDurationRow } from '../store/kpi.queries';

/** The figures of one slice (a channel, a template, a channel and template, or everything). */
export interface KpiFigures {
  readonly deliveries: number;
  readonly reached: number;
  readonly read: number;
  /** Read among the reached ÷ reached; null when nothing reached the customer. */
  readonly readRate: number | null;
  /** Null without a read delivery that has both times. */
  readonly timeToReadMedianSeconds: number | null;
  readonly timeToReadP90Seconds: number | null;
  readonly fallbacks: number;
  /** Deliveries that escalated unread (counted on the channel that went unread). */
  readonly escalated: number;
  readonly lettersAvoided: number;
  readonly replies: number;
}

export interface KpiReport {
  readonly overall: KpiFigures;
  readonly channels: readonly (KpiFigures & { readonly channel: Channel })[];
  readonly byTemplate: readonly (KpiFigures & { readonly templateKey: string })[];
  /** Per channel and template, for the metrics' labels; letters avoided belong to a communication, so they are per template only. */
  readonly pairs: readonly (Omit<KpiFigures, 'lettersAvoided'> & { readonly channel: Channel; readonly templateKey: string })[];
  /** The percentiles are of a capped list of read durations (see KpiRows.durationsCapped). */
  readonly timeToReadCapped: boolean;
  readonly interactions: {
    readonly total: number;
    readonly byChannel: readonly { readonly channel: InteractionChannel; readonly count: number }[];
    readonly byReason: readonly { readonly reason: string | null; readonly count: number }[];
    /** Interactions whose reason is not among `byReason`. */
    readonly otherReasons: number;
  };
}

/**
 * The q-quantile (0..1) of ascending values, interpolated linearly between the
 * closest ranks (as PostgreSQL's percentile_cont); null for no values.
 */
export function quantile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const rank = q * (sorted.length - 1);
  const below = Math.floor(rank);
  const above = Math.ceil(rank);
  return sorted[below] + (sorted[above] - sorted[below]) * (rank - below);
}

const pairKey = (channel: Channel, templateKey: string): string => `${channel}\u0000${templateKey}`;
/** Seconds to the millisecond the durations are measured in, without the interpolation's float noise. */
const toMs = (seconds: number | null): number | null => (seconds === null ? null : Math.round(seconds * 1000) / 1000);
const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The report from the queries' rows: sums per slice, rates, percentiles. */
export function kpiReport(rows: KpiRows): KpiReport {
  // Durations grouped once: the list can hold 100,000 of them.
  const durationsBy = (keyOf: (d: ReadDurationRow) => string): Map<string, ReadDurationRow[]> => {
    const groups = new Map<string, ReadDurationRow[]>();
    for (const d of rows.durations) {
      const key = keyOf(d);
      const group = groups.get(key);
      if (group) group.push(d);
      else groups.set(key, [d]);
    }
    return groups;
  };
  const durationsOfChannel = durationsBy((d) => d.channel);
  const durationsOfTemplate = durationsBy((d) => d.templateKey);
  const durationsOfPair = durationsBy((d) => pairKey(d.channel, d.templateKey));
  const figures = (groups: readonly KpiGroupRow[], durations: readonly ReadDurationRow[] = [], lettersAvoided: number): KpiFigures => {
    const sum = (key: 'deliveries' | 'reached' | 'read' | 'readReached' | 'replies' | 'fallbacks' | 'escalated'): number => groups.reduce((total, g) => total + g[key], 0);
    const reached = sum('reached');
    const seconds = durations.map((d) => d.seconds).sort((a, b) => a - b);
    return {
      deliveries: sum('deliveries'),
      reached,
      read: sum('read'),
      readRate: reached === 0 ? null : sum('readReached') / reached,
      timeToReadMedianSeconds: toMs(quantile(seconds, 0.5)),
      timeToReadP90Seconds: toMs(quantile(seconds, 0.9)),
      fallbacks: sum('fallbacks'),
      escalated: sum('escalated'),
      lettersAvoided,
      replies: sum('replies'),
    };
  };
  const avoided = (channel: Channel | null, templateKey: string | null): number =>
    rows.lettersAvoided.filter((r) => r.channel === channel && r.templateKey === templateKey).reduce((total, r) => total + r.count, 0);
  const avoidedOnChannel = (channel: Channel): number =>
    rows.lettersAvoided.filter((r) => r.channel === channel && r.templateKey !== null).reduce((total, r) => total + r.count, 0);

  const channels = [...new Set(rows.groups.map((g) => g.channel))].sort(byText);
  const templates = [...new Set(rows.groups.map((g) => g.templateKey))].sort(byText);
  const pairs = rows.groups.map((g) => ({ channel: g.channel, templateKey: g.templateKey })).sort((a, b) => byText(a.channel, b.channel) || byText(a.templateKey, b.templateKey));
  const byReason = rows.interactionReasons.map((r) => ({ ...r }));
  const total = rows.interactionsByChannel.reduce((sum, r) => sum + r.count, 0);
  return {
    overall: figures(rows.groups, rows.durations, avoided(null, null)),
    channels: channels.map((channel) => ({
      channel,
      ...figures(rows.groups.filter((g) => g.channel === channel), durationsOfChannel.get(channel), avoidedOnChannel(channel)),
    })),
    byTemplate: templates.map((templateKey) => ({
      templateKey,
      ...figures(rows.groups.filter((g) => g.templateKey === templateKey), durationsOfTemplate.get(templateKey), avoided(null, templateKey)),
    })),
    pairs: pairs.map(({ channel, templateKey }) => {
      const { lettersAvoided: _perCommunication, ...pair } = figures(
        rows.groups.filter((g) => g.channel === channel && g.templateKey === templateKey),
        durationsOfPair.get(pairKey(channel, templateKey)),
        0,
      );
      return { channel, templateKey, ...pair };
    }),
    timeToReadCapped: rows.durationsCapped,
    interactions: {
      total,
      byChannel: [...rows.interactionsByChannel].sort((a, b) => byText(a.channel, b.channel)),
      byReason,
      otherReasons: total - byReason.reduce((sum, r) => sum + r.count, 0),
    },
  };
}
