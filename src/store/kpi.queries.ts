import { Channel, DeliveryStatus, EngagementKind, type InteractionChannel } from '../domain';
import type { DatabaseGate } from './database.gate';
import { RowSql } from './row.sql';

/** Per channel and template: deliveries of the communications created in the window, as counts. */
export interface KpiGroupRow {
  readonly channel: Channel;
  readonly templateKey: string;
  readonly deliveries: number;
  /** SENT, DELIVERED or READ. */
  readonly reached: number;
  /** READ, or with an engagement signal. */
  readonly read: number;
  /** Read among the reached: the read rate's numerator. */
  readonly readReached: number;
  readonly replies: number;
  readonly fallbacks: number;
  /** Escalated unread (`escalatedAt` set). */
  readonly escalated: number;
}

/** One read delivery's time from its first SENT/DELIVERED timeline entry to its first engagement. */
export interface ReadDurationRow {
  readonly channel: Channel;
  readonly templateKey: string;
  readonly seconds: number;
}

/** Communications that avoided a letter: per (channel, template), per template (channel null), in all (both null). */
export interface LettersAvoidedRow {
  readonly channel: Channel | null;
  readonly templateKey: string | null;
  readonly count: number;
}

export interface KpiRows {
  readonly groups: readonly KpiGroupRow[];
  readonly durations: readonly ReadDurationRow[];
  /** More read deliveries than `maxDurations`: the percentiles are of the newest `maxDurations` communications' ones. */
  readonly durationsCapped: boolean;
  readonly lettersAvoided: readonly LettersAvoidedRow[];
  readonly interactionsByChannel: readonly { readonly channel: InteractionChannel; readonly count: number }[];
  /** The most frequent reasons (null: none recorded), most frequent first. */
  readonly interactionReasons: readonly { readonly reason: string | null; readonly count: number }[];
}

export interface KpiQueryOptions {
  /** How many reasons `interactionReasons` lists; default 20. */
  readonly topReasons?: number;
  /** Read durations fetched for the percentiles; default 100_000. */
  readonly maxDurations?: number;
}

/** Statuses that reached the customer, the denominator of the read rate. */
const REACHED = [DeliveryStatus.SENT, DeliveryStatus.DELIVERED, DeliveryStatus.READ];
/** A previous delivery in one of these was a fallback's cause (an escalation's previous delivery succeeded but stayed unread). */
const FAILED = [DeliveryStatus.FAILED, DeliveryStatus.BOUNCED, DeliveryStatus.SKIPPED];
/** A LETTER delivery in any other status was sent or is on its way. */
const NO_LETTER = [DeliveryStatus.FAILED, DeliveryStatus.BOUNCED, DeliveryStatus.SKIPPED, DeliveryStatus.CANCELLED];
/** Engagement kinds that count as "read"; listed so that a kind added later is not counted unseen. */
export const READ_SIGNALS: readonly EngagementKind[] = [EngagementKind.READ, EngagementKind.CLICKED, EngagementKind.DOWNLOADED, EngagementKind.REPLIED, EngagementKind.OPENED];

/** Our own enum values as SQL literals (never input). */
const list = (values: readonly string[]): string => values.map((v) => `'${v}'`).join(', ');

/**
 * The cross-channel KPIs of a window as a handful of set-based statements:
 * communications in [from, to) by IDX_communication_created, their deliveries by
 * IDX_delivery_communication, timelines and engagement by their (deliveryId, …)
 * unique indexes, interactions by IDX_interaction_occurred.
 */
export class KpiQueries {
  private readonly sql: RowSql;

  constructor(private readonly gate: DatabaseGate) {
    this.sql = new RowSql(gate.isSqlite);
  }

  read(from: Date, to: Date, options: KpiQueryOptions = {}): Promise<KpiRows> {
    const topReasons = options.topReasons ?? 20;
    const maxDurations = options.maxDurations ?? 100_000;
    return this.gate.read(async (manager) => {
      // Each use of the window binds its own two values: SQLite's `?` are positional.
      const run = async (build: (between: (column: string) => string) => string): Promise<Record<string, unknown>[]> => {
        const params: unknown[] = [];
        const between = (column: string): string => {
          params.push(this.sql.int(from.getTime()), this.sql.int(to.getTime()));
          return `${column} >= ${this.sql.p(params.length - 1)} AND ${column} < ${this.sql.p(params.length)}`;
        };
        return this.sql.rows(manager, build(between), params);
      };

      const groups = await run((between) => `${this.perDelivery(between('c."createdAt"'))}
        SELECT "channel", "templateKey", COUNT(*) AS "deliveries",
          SUM(CASE WHEN "status" IN (${list(REACHED)}) THEN 1 ELSE 0 END) AS "reached",
          SUM(CASE WHEN "status" = '${DeliveryStatus.READ}' OR "engagedAt" IS NOT NULL THEN 1 ELSE 0 END) AS "read",
          SUM(CASE WHEN "status" IN (${list(REACHED)}) AND ("status" = '${DeliveryStatus.READ}' OR "engagedAt" IS NOT NULL) THEN 1 ELSE 0 END) AS "readReached",
          SUM(CASE WHEN "replied" > 0 THEN 1 ELSE 0 END) AS "replies",
          SUM(CASE WHEN "previousStatus" IN (${list(FAILED)}) THEN 1 ELSE 0 END) AS "fallbacks",
          SUM(CASE WHEN "escalatedAt" IS NOT NULL THEN 1 ELSE 0 END) AS "escalated"
        FROM "k" GROUP BY "channel", "templateKey" ORDER BY "channel", "templateKey"`);

      const durations = await run((between) => `${this.perDelivery(between('c."createdAt"'))}
        SELECT "channel", "templateKey", "engagedAt" - "successAt" AS "ms" FROM "k"
        WHERE "engagedAt" IS NOT NULL AND "successAt" IS NOT NULL
        ORDER BY "createdAt" DESC, "id" LIMIT ${maxDurations + 1}`);

      // LETTER held: a LETTER delivery, LETTER in a chain, or an escalation declared to LETTER. Not avoided: a LETTER
      // delivery sent or on its way, one an escalation made (whatever became of it), or an escalation to LETTER still
      // pending (a deadline set and neither read nor passed yet: the letter may still go).
      const escalatesToLetter = `COALESCE(c."escalation", '') LIKE '%"${Channel.LETTER}"%'`;
      const letters = await run((between) => `WITH "lc" AS (
          SELECT c."id", c."templateKey" FROM "communication" c
          WHERE ${between('c."createdAt"')}
            AND (${escalatesToLetter}
              OR EXISTS (SELECT 1 FROM "delivery" l WHERE l."communicationId" = c."id" AND (l."channel" = '${Channel.LETTER}' OR l."fallbackChannels" LIKE '%"${Channel.LETTER}"%')))
            AND NOT EXISTS (SELECT 1 FROM "delivery" l WHERE l."communicationId" = c."id" AND l."channel" = '${Channel.LETTER}'
              AND (l."status" NOT IN (${list(NO_LETTER)}) OR EXISTS (SELECT 1 FROM "delivery" p WHERE p."id" = l."previousDeliveryId" AND p."escalatedAt" IS NOT NULL)))
            AND NOT (${escalatesToLetter} AND EXISTS (SELECT 1 FROM "delivery" e WHERE e."communicationId" = c."id" AND e."escalatesAt" IS NOT NULL))
        ), "av" AS (
          SELECT DISTINCT lc."id", lc."templateKey", d."channel" FROM "lc"
          JOIN "delivery" d ON d."communicationId" = lc."id" AND d."channel" <> '${Channel.LETTER}' AND d."status" IN (${list(REACHED)})
        )
        SELECT "channel", "templateKey", COUNT(*) AS "count" FROM "av" GROUP BY "channel", "templateKey"
        UNION ALL SELECT NULL, "templateKey", COUNT(DISTINCT "id") FROM "av" GROUP BY "templateKey"
        UNION ALL SELECT NULL, NULL, COUNT(DISTINCT "id") FROM "av"`);

      const byChannel = await run((between) => `SELECT "channel", COUNT(*) AS "count" FROM "interaction"
        WHERE ${between('"occurredAt"')} GROUP BY "channel" ORDER BY "channel"`);
      // Ties in a fixed order on both databases: NULL last, then byte order of the text.
      const reasons = await run((between) => `SELECT "reason", COUNT(*) AS "count" FROM "interaction"
        WHERE ${between('"occurredAt"')} GROUP BY "reason"
        ORDER BY COUNT(*) DESC, CASE WHEN "reason" IS NULL THEN 1 ELSE 0 END, "reason"${this.gate.isSqlite ? '' : ' COLLATE "C"'} LIMIT ${topReasons}`);

      return {
        groups: groups.map((r) => ({
          channel: r.channel as Channel,
          templateKey: String(r.templateKey),
          deliveries: Number(r.deliveries),
          reached: Number(r.reached),
          read: Number(r.read),
          readReached: Number(r.readReached),
          replies: Number(r.replies),
          fallbacks: Number(r.fallbacks),
          escalated: Number(r.escalated),
        })),
        durations: durations.slice(0, maxDurations).map((r) => ({
          channel: r.channel as Channel,
          templateKey: String(r.templateKey),
          // A signal recorded before the send's own entry (a race of the two) counts as read at once.
          seconds: Math.max(0, Number(r.ms)) / 1000,
        })),
        durationsCapped: durations.length > maxDurations,
        lettersAvoided: letters.map((r) => ({
          channel: r.channel === null ? null : (r.channel as Channel),
          templateKey: r.templateKey === null ? null : String(r.templateKey),
          count: Number(r.count),
        })),
        interactionsByChannel: byChannel.map((r) => ({ channel: r.channel as InteractionChannel, count: Number(r.count) })),
        interactionReasons: reasons.map((r) => ({ reason: r.reason === null ? null : String(r.reason), count: Number(r.count) })),
      };
    });
  }

  /** `WITH "k"`: one row per delivery of the window's communications, with its first success time and first engagement. */
  private perDelivery(window: string): string {
    return `WITH "k" AS (
      SELECT d."id", d."channel", c."templateKey", d."status", d."escalatedAt", c."createdAt",
        (SELECT MIN(g."at") FROM "engagement" g WHERE g."deliveryId" = d."id" AND g."kind" IN (${list(READ_SIGNALS)})) AS "engagedAt",
        (SELECT MIN(e."at") FROM "delivery_event" e WHERE e."deliveryId" = d."id" AND e."status" IN ('${DeliveryStatus.SENT}', '${DeliveryStatus.DELIVERED}')) AS "successAt",
        (SELECT COUNT(*) FROM "engagement" g WHERE g."deliveryId" = d."id" AND g."kind" = '${EngagementKind.REPLIED}') AS "replied",
        p."status" AS "previousStatus"
      FROM "communication" c
      JOIN "delivery" d ON d."communicationId" = c."id"
      LEFT JOIN "delivery" p ON p."id" = d."previousDeliveryId"
      WHERE ${window}
    )`;
  }
}
