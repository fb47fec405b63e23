import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { parse as parseDotEnv } from 'dotenv';
import { resolve } from 'node:path';
import { ChannelRegistry } from './channels/registry';
import { bool, ConfigError, int, oneOf, str, url, type ConfigEnv } from './config.env';
import type { Channel, QuietHours } from './domain';
import { parseQuietHours } from './preferences/quiet-hours';

export { ConfigError } from './config.env';
import type { BackofficeFile } from './connectors/spec/backoffice.schema';
import { readBackofficeFile } from './connectors/spec/spec.loader';

export interface TrackingConfig {
  /** `TRACKING=off`: emails carry plain links and no pixel. */
  readonly enabled: boolean;
  /** `TRACKING_SECRET`, else derived from DOCUMENT_SIGNING_SECRET (the token keys are derived again from it). */
  readonly secret: string;
  /** `PORTAL_URL`: the customer portal, where "view online" leads when a message has no document; default the gateway's console (`PUBLIC_URL/console/`). */
  readonly portalUrl: string | null;
}

/** Typed, validated configuration. Parsed once at start; nothing else reads `process.env`. */
export interface Config {
  readonly env: 'development' | 'production' | 'test';
  readonly port: number;
  readonly host: string;
  readonly publicUrl: string;
  /** Unset: the gateway spawns a local `redis-server` under `dataDir`. */
  readonly redisUrl: string | null;
  /** `sqlite:<path>` or `postgres://…` */
  readonly databaseUrl: string;
  /** Unset back-office URLs: the simulated back-office runs in-process. */
  readonly crmUrl: string | null;
  readonly catalogUrl: string | null;
  readonly contractsDatabaseUrl: string | null;
  /**
   * `BACKOFFICE_CONFIG`: the back-office systems as a configuration file describes them (validated, `${VAR}`
   * filled in). Null: the default configuration of the simulated back office, at CRM_URL, CATALOG_URL and
   * CONTRACTS_DATABASE_URL (or embedded when those are unset).
   */
  readonly backofficeConfig: BackofficeFile | null;
  readonly smtpUrl: string | null;
  readonly mailFrom: string;
  readonly twilio: TwilioConfig | null;
  readonly twilioApiUrl: string | null;
  readonly auth: AuthConfig;
  /** Requests per principal per minute (`RATE_LIMIT_PER_MINUTE`, default 600, bursts included); null: off. */
  readonly rateLimit: { readonly limit: number; readonly windowMs: number } | null;
  /** Sends per second per channel across all workers (`CHANNEL_RATE_LIMITS`, e.g. `sms=10,email=50`); absent: unlimited. */
  readonly channelRateLimits: Readonly<Record<string, number>>;
  /** Each channel module's own settings (`ChannelModule.settings`), by channel. */
  readonly channelSettings: ReadonlyMap<Channel, unknown>;
  /** `QUIET_HOURS` (`21:00-08:00`, the customer's local time): when interruptive channels wait for customers who set none; null: none. */
  readonly quietHours: QuietHours | null;
  /** Browser origins allowed to call the API cross-origin (`CORS_ORIGINS`, comma-separated); empty: none. */
  readonly corsOrigins: readonly string[];
  /** Folder for embedded state: redis data, SQLite files, spools, sink captures. */
  readonly dataDir: string;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  readonly backoffice: BackofficeTuning;
  readonly connectors: ConnectorTuning;
  readonly documentLinkTtlSeconds: number;
  readonly documentSigningSecret: string;
  /** Email open pixel and tracked links (`TRACKING`, default on), their token secret and the portal address. */
  readonly tracking: TrackingConfig;
  /** "Digital first, paper if unread": what counts as read, and the shortest window a request may ask for. */
  readonly escalation: EscalationConfig;
  readonly workerConcurrency: number;
  /** Prefix of every BullMQ and pub/sub key; a `{hash tag}` keeps Redis Cluster possible. */
  readonly queuePrefix: string;
  /** Inbound SMTP port for VERP bounces; null: a free loopback port in development/test, none in production. */
  readonly bounceSmtpPort: number | null;
  /** The letterhead sender: name then postal lines (`SENDER_ADDRESS`, lines separated by `|`). */
  readonly senderAddress: readonly string[];
  /** Print output: scheduled closing, duplex, postage planning (`PRINT_*`). */
  readonly print: PrintConfig;
  /** Letters rendered as PDF/A-2b with embedded fonts (`DOCUMENT_PDFA`, default false). */
  readonly documentPdfa: boolean;
  /** `ATTACHMENT_PASSWORD_FIELD`: the customer record's field (dotted path) whose value opens an encrypted attachment; null: none. */
  readonly attachmentPasswordField: string | null;
  /** Worker threads that render letter PDFs (`RENDER_THREADS`, default cores − 1; 0: on the event loop). */
  readonly renderThreads: number;
  /** OpenTelemetry traces from the standard `OTEL_*` variables; null (off) without an OTLP endpoint. */
  readonly telemetry: TelemetryConfig | null;
  /** The KPI gauges of /metrics (`KPI_*`). */
  readonly kpi: KpiConfig;
}

export interface KpiConfig {
  /** `KPI_WINDOW_SECONDS`: the trailing window the KPI gauges cover. Default 86,400 (24 h). */
  readonly windowSeconds: number;
  /** `KPI_CACHE_SECONDS`: how long one reading of the KPIs answers scrapes; 0: read at every scrape. Default 15. */
  readonly cacheSeconds: number;
  /** `KPI_TOP_REASONS`: interaction reasons with a series of their own; the rest count as "(other)". Default 10. */
  readonly topReasons: number;
}

export type TraceSampler = 'always_on' | 'always_off' | 'traceidratio' | 'parentbased_always_on' | 'parentbased_always_off' | 'parentbased_traceidratio';

/** The standard OpenTelemetry SDK variables this gateway reads; see src/telemetry/README.md. */
export interface TelemetryConfig {
  /** `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` as given, else `OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/traces` (OTLP/HTTP, JSON). */
  readonly tracesUrl: string;
  /** `OTEL_EXPORTER_OTLP_HEADERS` then `OTEL_EXPORTER_OTLP_TRACES_HEADERS` (`key=value,…`), e.g. a collector's API key. */
  readonly headers: Readonly<Record<string, string>>;
  /** `OTEL_SERVICE_NAME`; default `ccm-gateway`. */
  readonly serviceName: string;
  /** `OTEL_RESOURCE_ATTRIBUTES` (`key=value,…`), e.g. `deployment.environment.name=prod`. */
  readonly resourceAttributes: Readonly<Record<string, string>>;
  /** `OTEL_TRACES_SAMPLER`; default `parentbased_always_on`. */
  readonly sampler: TraceSampler;
  /** `OTEL_TRACES_SAMPLER_ARG` for the ratio samplers; default 1. */
  readonly samplerRatio: number;
  /** `OTEL_BSP_SCHEDULE_DELAY`: ms between two exports of finished spans; default 5,000. */
  readonly exportDelayMs: number;
}

export interface PrintConfig {
  /** `PRINT_BATCH_INTERVAL_MS`: how often a print batch is closed on schedule; 0: only on request. Default 3,600,000 (hourly). */
  readonly batchIntervalMs: number;
  /** `PRINT_BATCH_MAX_LETTERS`: letters per batch, oldest spooled first. Default 10,000. */
  readonly batchMaxLetters: number;
  /** `PRINT_DUPLEX`: printed on both sides (a blank back page after an odd page count). Default true. */
  readonly duplex: boolean;
  /** `PRINT_HOME_COUNTRY`: ISO 3166 alpha-2 of the country letters are posted in (postal zone DOMESTIC). Default FR. */
  readonly homeCountry: string;
  /** `PRINT_SHEET_GRAMS`: one A4 sheet. Default 5 (80 g/m² paper). */
  readonly sheetGrams: number;
  /** `PRINT_ENVELOPE_GRAMS`: one window envelope. Default 5. */
  readonly envelopeGrams: number;
}

export interface TwilioConfig {
  readonly accountSid: string;
  readonly authToken: string;
  readonly from: string | null;
  readonly messagingServiceSid: string | null;
}

export interface AuthConfig {
  readonly jwtSecret: string | null;
  readonly jwksUrl: string | null;
  readonly apiKeys: readonly string[];
  /** `AUTH_JWT_ISSUER`: required `iss` of JWTs when set. */
  readonly issuer: string | null;
  /** `AUTH_JWT_AUDIENCE`: required `aud` of JWTs when set. */
  readonly audience: string | null;
}

export interface BackofficeTuning {
  readonly customers: number;
  readonly contracts: number;
  readonly products: number;
  readonly seed: number;
  readonly latencyMs: number;
  readonly failureRate: number;
  /** `BACKOFFICE_WEBHOOK_BASE_URL`: where simulated business customers' document endpoints point (`<base>/<id>`); null: `https://erp-<id>.example/documents`. */
  readonly webhookBaseUrl: string | null;
}

export interface EscalationConfig {
  /** `ESCALATION_STOP_ON_OPEN` (default false): an email open (pixel) counts as read and stops the escalation; mail clients fetch pixels on their own. */
  readonly stopOnOpen: boolean;
  /** Shortest `unreadAfterSeconds`: 60 in production, 1 otherwise (tests wait seconds, not minutes). */
  readonly minUnreadSeconds: number;
}

export interface ConnectorTuning {
  /** Per back-office call; a slower system answers BACKOFFICE_UNAVAILABLE. */
  readonly timeoutMs: number;
  /** Extra attempts for idempotent reads after a transient failure. */
  readonly retries: number;
  /** Cache TTL for catalog data, which changes rarely; 0 turns it off. */
  readonly cacheTtlMs: number;
}

type Env = ConfigEnv;

/** A configuration file with problems: one line each, naming the path in the file. */
export class ConfigFileError extends ConfigError {
  constructor(variable: string, file: string, readonly problems: readonly string[]) {
    super(variable, 'a valid file', file);
    this.message = `${variable} ${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'}\n${problems.map((line) => `  ${line}`).join('\n')}`;
    this.name = 'ConfigFileError';
  }
}

/** BACKOFFICE_CONFIG: read and checked here, at start, like every other setting; `${VAR}` comes from the same environment. */
function backofficeConfig(env: Env, cwd: string): BackofficeFile | null {
  const path = str(env, 'BACKOFFICE_CONFIG');
  if (path === null) return null;
  const result = readBackofficeFile(resolve(cwd, path), env);
  if (!result.ok) throw new ConfigFileError('BACKOFFICE_CONFIG', path, result.problems);
  return result.file;
}


/**
 * The `.env` file at `path`, read with dotenv's parser (quotes, `export`,
 * comments, multi-line values), under the environment: values already in
 * `env` win. Nothing is written to `process.env`. A missing file is no file.
 */
export function readDotEnv(path: string, env: Env): Record<string, string | undefined> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return { ...env };
  }
  return { ...parseDotEnv(text), ...env };
}

function ratio(env: Env, key: string, fallback: number): number {
  const raw = str(env, key);
  if (raw === null) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0 || value > 1) throw new ConfigError(key, 'a number from 0 to 1', raw);
  return value;
}

function databaseUrl(env: Env, key: string): string | null {
  const raw = str(env, key);
  if (raw === null) return null;
  if (/^sqlite:.+/.test(raw)) return raw;
  return url(env, key, ['postgres', 'postgresql']);
}

function twilio(env: Env): TwilioConfig | null {
  const accountSid = str(env, 'TWILIO_ACCOUNT_SID');
  const authToken = str(env, 'TWILIO_AUTH_TOKEN');
  const from = str(env, 'TWILIO_FROM');
  const messagingServiceSid = str(env, 'TWILIO_MESSAGING_SERVICE_SID');
  if (!accountSid && !authToken && !from && !messagingServiceSid) return null;
  if (!accountSid || !/^AC[0-9a-fA-F]{32}$/.test(accountSid)) {
    throw new ConfigError('TWILIO_ACCOUNT_SID', 'an account SID (AC followed by 32 hex digits)', accountSid ?? undefined);
  }
  if (!authToken) throw new ConfigError('TWILIO_AUTH_TOKEN', 'the auth token of TWILIO_ACCOUNT_SID', undefined);
  if (!from && !messagingServiceSid) {
    throw new ConfigError('TWILIO_FROM', 'a sender number (or TWILIO_MESSAGING_SERVICE_SID)', undefined);
  }
  if (from && !/^\+[1-9]\d{6,14}$/.test(from) && !/^[A-Za-z0-9 ]{1,11}$/.test(from)) {
    throw new ConfigError('TWILIO_FROM', 'an E.164 number or an alphanumeric sender id', from);
  }
  return { accountSid, authToken, from, messagingServiceSid };
}

function senderAddress(env: Env): readonly string[] {
  const raw = str(env, 'SENDER_ADDRESS') ?? 'Customer Service|1 Rue de la Paix|75002 Paris|France';
  const lines = raw.split('|').map((l) => l.trim()).filter(Boolean);
  if (lines.length < 2 || lines.length > 6 || lines.some((l) => l.length > 60)) throw new ConfigError('SENDER_ADDRESS', 'a name and 1 to 5 address lines of up to 60 characters, separated by |', raw);
  return Object.freeze(lines);
}

/** `sms=10,email=50`: keys are the channel modules' keys. */
function channelRateLimits(env: Env, keys: readonly string[]): Readonly<Record<string, number>> {
  const raw = str(env, 'CHANNEL_RATE_LIMITS');
  const limits: Record<string, number> = {};
  for (const entry of (raw ?? '').split(',').map((e) => e.trim()).filter(Boolean)) {
    const match = /^([a-z]+)=(\d{1,6})$/.exec(entry);
    if (!match || !keys.includes(match[1]) || Number(match[2]) < 1) {
      throw new ConfigError('CHANNEL_RATE_LIMITS', `channel=sends-per-second pairs such as sms=10,email=50 (channels: ${keys.join(', ')})`, raw ?? undefined);
    }
    limits[match[1]] = Number(match[2]);
  }
  return Object.freeze(limits);
}

function quietHours(env: Env): QuietHours | null {
  const raw = str(env, 'QUIET_HOURS');
  if (raw === null || raw.toLowerCase() === 'none') return null;
  const hours = parseQuietHours(raw);
  if (!hours) throw new ConfigError('QUIET_HOURS', 'local times HH:MM-HH:MM that differ, such as 21:00-08:00 (or none)', raw);
  return Object.freeze(hours);
}

function corsOrigins(env: Env): readonly string[] {
  const list = (str(env, 'CORS_ORIGINS') ?? '').split(',').map((o) => o.trim()).filter(Boolean);
  for (const origin of list) {
    let parsed: URL | null = null;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = null;
    }
    if (!parsed || !/^https?:$/.test(parsed.protocol) || parsed.origin !== origin) {
      throw new ConfigError('CORS_ORIGINS', 'comma-separated origins such as https://portal.example.com (scheme, host, optional port; no path)', origin);
    }
  }
  return Object.freeze(list);
}

/** The officially assigned ISO 3166-1 alpha-2 codes (Intl.DisplayNames also names UK, EU, ZZ…, so it cannot tell). */
const ISO_COUNTRIES = new Set(
  ('AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ ' +
    'CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR ' +
    'GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP ' +
    'KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ ' +
    'NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW ' +
    'SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ ' +
    'UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW').split(' '),
);

function country(env: Env, key: string, fallback: string): string {
  const raw = str(env, key);
  if (raw === null) return fallback;
  if (!ISO_COUNTRIES.has(raw.toUpperCase())) throw new ConfigError(key, 'an ISO 3166 alpha-2 country code such as FR or DE', raw);
  return raw.toUpperCase();
}

function printConfig(env: Env): PrintConfig {
  const batchIntervalMs = int(env, 'PRINT_BATCH_INTERVAL_MS', 3_600_000, 0, 2_147_483_647);
  // Under a second would close a batch per spooled letter and keep the closing lock busy.
  if (batchIntervalMs > 0 && batchIntervalMs < 1_000) {
    throw new ConfigError('PRINT_BATCH_INTERVAL_MS', '0 (no schedule) or an integer from 1000 to 2147483647', String(batchIntervalMs));
  }
  return Object.freeze({
    batchIntervalMs,
    batchMaxLetters: int(env, 'PRINT_BATCH_MAX_LETTERS', 10_000, 1, 100_000),
    duplex: bool(env, 'PRINT_DUPLEX', true),
    homeCountry: country(env, 'PRINT_HOME_COUNTRY', 'FR'),
    sheetGrams: int(env, 'PRINT_SHEET_GRAMS', 5, 1, 100),
    envelopeGrams: int(env, 'PRINT_ENVELOPE_GRAMS', 5, 0, 500),
  });
}

/** W3C baggage-style `key=value,…` lists (`OTEL_EXPORTER_OTLP_HEADERS`, `OTEL_RESOURCE_ATTRIBUTES`); values percent-decoded. */
function keyValues(env: Env, key: string): Record<string, string> {
  const raw = str(env, key);
  const pairs: Record<string, string> = {};
  for (const entry of (raw ?? '').split(',').map((e) => e.trim()).filter(Boolean)) {
    const at = entry.indexOf('=');
    let value: string | null = null;
    try {
      value = at > 0 ? decodeURIComponent(entry.slice(at + 1).trim()) : null;
    } catch {
      value = null;
    }
    if (value === null) throw new ConfigError(key, 'comma-separated key=value pairs', raw ?? undefined);
    pairs[entry.slice(0, at).trim()] = value;
  }
  return pairs;
}

const TRACE_SAMPLERS: readonly TraceSampler[] = ['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'];

/** Off unless an OTLP endpoint is set; `OTEL_SDK_DISABLED=true` or `OTEL_TRACES_EXPORTER=none` turn it off too. */
function telemetry(env: Env): TelemetryConfig | null {
  const exporter = oneOf(env, 'OTEL_TRACES_EXPORTER', ['otlp', 'none'] as const, 'otlp');
  if (bool(env, 'OTEL_SDK_DISABLED', false) || exporter === 'none') return null;
  const tracesEndpoint = url(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', ['http', 'https']);
  const endpoint = url(env, 'OTEL_EXPORTER_OTLP_ENDPOINT', ['http', 'https']);
  if (!tracesEndpoint && !endpoint) return null;
  const serviceName = str(env, 'OTEL_SERVICE_NAME') ?? 'ccm-gateway';
  return Object.freeze({
    tracesUrl: tracesEndpoint ?? `${endpoint}/v1/traces`,
    headers: Object.freeze({ ...keyValues(env, 'OTEL_EXPORTER_OTLP_HEADERS'), ...keyValues(env, 'OTEL_EXPORTER_OTLP_TRACES_HEADERS') }),
    serviceName,
    resourceAttributes: Object.freeze(keyValues(env, 'OTEL_RESOURCE_ATTRIBUTES')),
    sampler: oneOf(env, 'OTEL_TRACES_SAMPLER', TRACE_SAMPLERS, 'parentbased_always_on'),
    samplerRatio: ratio(env, 'OTEL_TRACES_SAMPLER_ARG', 1),
    exportDelayMs: int(env, 'OTEL_BSP_SCHEDULE_DELAY', 5_000, 10, 600_000),
  });
}

function trackingConfig(env: Env, documentSigningSecret: string, publicUrl: string): TrackingConfig {
  const mode = oneOf(env, 'TRACKING', ['on', 'off'] as const, 'on');
  const secret = str(env, 'TRACKING_SECRET');
  if (secret !== null && secret.length < 32) throw new ConfigError('TRACKING_SECRET', 'at least 32 characters', `${secret.length} characters`);
  return {
    enabled: mode === 'on',
    // A label of its own: a tracking token and a document link never share a key.
    secret: secret ?? `tracking:${documentSigningSecret}`,
    // Unset: the gateway's own console, where a portal user sees their documents — so every email has a "view online" line.
    portalUrl: url(env, 'PORTAL_URL', ['http', 'https']) ?? `${publicUrl.replace(/\/+$/, '')}/console/`,
  };
}

function queuePrefix(env: Env): string {
  const raw = str(env, 'QUEUE_PREFIX') ?? '{ccm}';
  if (!/^[A-Za-z0-9{}_.-]{1,40}$/.test(raw)) throw new ConfigError('QUEUE_PREFIX', 'up to 40 letters, digits or {}_.-', raw);
  return raw;
}

/**
 * Parses the environment. Throws a ConfigError naming the first bad variable.
 * `cwd` anchors relative paths (the data folder, SQLite files).
 */
export function loadConfig(rawEnv: Env, cwd: string = process.cwd()): Config {
  const env = rawEnv;
  const nodeEnv = oneOf(env, 'NODE_ENV', ['development', 'production', 'test'] as const, 'development');
  const port = int(env, 'PORT', 4000, 0, 65535);
  const host = str(env, 'HOST') ?? '127.0.0.1';
  if (!/^[A-Za-z0-9.:-]+$/.test(host)) throw new ConfigError('HOST', 'a host name or IP address', host);
  const dataDir = resolve(cwd, str(env, 'DATA_DIR') ?? 'var');
  const auth: AuthConfig = {
    jwtSecret: str(env, 'AUTH_JWT_SECRET'),
    jwksUrl: url(env, 'AUTH_JWKS_URL', ['http', 'https']),
    apiKeys: (str(env, 'AUTH_API_KEYS') ?? '').split(',').map((k) => k.trim()).filter(Boolean),
    issuer: str(env, 'AUTH_JWT_ISSUER'),
    audience: str(env, 'AUTH_JWT_AUDIENCE'),
  };
  if (auth.jwtSecret !== null && auth.jwtSecret.length < 32) {
    throw new ConfigError('AUTH_JWT_SECRET', 'at least 32 characters', `${auth.jwtSecret.length} characters`);
  }
  if (nodeEnv === 'production' && !auth.jwtSecret && !auth.jwksUrl && auth.apiKeys.length === 0) {
    throw new ConfigError('AUTH_JWT_SECRET', 'AUTH_JWT_SECRET, AUTH_JWKS_URL or AUTH_API_KEYS in production', undefined);
  }
  const documentSigningSecret = str(env, 'DOCUMENT_SIGNING_SECRET') ?? auth.jwtSecret ?? 'development-only-document-signing-secret';
  if (nodeEnv === 'production' && !str(env, 'DOCUMENT_SIGNING_SECRET') && !auth.jwtSecret) {
    throw new ConfigError('DOCUMENT_SIGNING_SECRET', 'a secret of 32+ characters in production', undefined);
  }

  const rateLimitPerMinute = int(env, 'RATE_LIMIT_PER_MINUTE', 600, 0, 1_000_000);
  // The built-in channel modules: their keys and their own settings are part of the configuration.
  const channels = new ChannelRegistry();

  const publicUrl = url(env, 'PUBLIC_URL', ['http', 'https']) ?? `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return Object.freeze({
    env: nodeEnv,
    port,
    host,
    publicUrl,
    redisUrl: url(env, 'REDIS_URL', ['redis', 'rediss']),
    databaseUrl: databaseUrl(env, 'DATABASE_URL') ?? `sqlite:${resolve(dataDir, 'gateway.sqlite')}`,
    crmUrl: url(env, 'CRM_URL', ['http', 'https']),
    catalogUrl: url(env, 'CATALOG_URL', ['http', 'https']),
    contractsDatabaseUrl: databaseUrl(env, 'CONTRACTS_DATABASE_URL'),
    backofficeConfig: backofficeConfig(env, cwd),
    smtpUrl: url(env, 'SMTP_URL', ['smtp', 'smtps']),
    mailFrom: str(env, 'MAIL_FROM') ?? 'Customer Service <service@ccm-gateway.local>',
    twilio: twilio(env),
    twilioApiUrl: url(env, 'TWILIO_API_URL', ['http', 'https']),
    auth: Object.freeze(auth),
    rateLimit: rateLimitPerMinute === 0 ? null : Object.freeze({ limit: rateLimitPerMinute, windowMs: 60_000 }),
    corsOrigins: corsOrigins(env),
    channelRateLimits: channelRateLimits(env, channels.modules.map((m) => m.key)),
    channelSettings: channels.parseSettings(env),
    quietHours: quietHours(env),
    dataDir,
    logLevel: oneOf(env, 'LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info'),
    backoffice: Object.freeze({
      customers: int(env, 'BACKOFFICE_CUSTOMERS', 10_000, 1, 1_000_000),
      contracts: int(env, 'BACKOFFICE_CONTRACTS', 25_000, 1, 5_000_000),
      products: int(env, 'BACKOFFICE_PRODUCTS', 200, 1, 100_000),
      seed: int(env, 'BACKOFFICE_SEED', 42, 0, 2 ** 31 - 1),
      latencyMs: int(env, 'BACKOFFICE_LATENCY_MS', 0, 0, 60_000),
      failureRate: ratio(env, 'BACKOFFICE_FAILURE_RATE', 0),
      webhookBaseUrl: url(env, 'BACKOFFICE_WEBHOOK_BASE_URL', ['http', 'https']),
    }),
    connectors: Object.freeze({
      timeoutMs: int(env, 'BACKOFFICE_TIMEOUT_MS', 2_000, 1, 120_000),
      retries: int(env, 'BACKOFFICE_RETRIES', 1, 0, 5),
      cacheTtlMs: int(env, 'CATALOG_CACHE_TTL_MS', 30_000, 0, 86_400_000),
    }),
    documentLinkTtlSeconds: int(env, 'DOCUMENT_LINK_TTL_SECONDS', 900, 10, 604_800),
    documentSigningSecret,
    tracking: Object.freeze(trackingConfig(env, documentSigningSecret, publicUrl)),
    escalation: Object.freeze({ stopOnOpen: bool(env, 'ESCALATION_STOP_ON_OPEN', false), minUnreadSeconds: nodeEnv === 'production' ? 60 : 1 }),
    workerConcurrency: int(env, 'WORKER_CONCURRENCY', 8, 1, 256),
    queuePrefix: queuePrefix(env),
    bounceSmtpPort: str(env, 'BOUNCE_SMTP_PORT') === null ? null : int(env, 'BOUNCE_SMTP_PORT', 0, 0, 65535),
    senderAddress: senderAddress(env),
    print: printConfig(env),
    documentPdfa: bool(env, 'DOCUMENT_PDFA', false),
    attachmentPasswordField: fieldPath(env, 'ATTACHMENT_PASSWORD_FIELD'),
    // One core stays with the event loop (store, queues, providers); the others render letters.
    renderThreads: int(env, 'RENDER_THREADS', Math.min(32, Math.max(0, availableParallelism() - 1)), 0, 32),
    telemetry: telemetry(env),
    kpi: Object.freeze({
      windowSeconds: int(env, 'KPI_WINDOW_SECONDS', 86_400, 60, 366 * 86_400),
      cacheSeconds: int(env, 'KPI_CACHE_SECONDS', 15, 0, 3_600),
      topReasons: int(env, 'KPI_TOP_REASONS', 10, 1, 100),
    }),
  });
}

/** A dotted path into the customer record (`attributes.birthDate`, `postalAddress.postalCode`). */
function fieldPath(env: Env, key: string): string | null {
  const value = str(env, key);
  if (value === null) return null;
  if (!/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*){0,4}$/.test(value)) throw new ConfigError(key, 'a dotted field path such as attributes.birthDate', value);
  return value;
}
