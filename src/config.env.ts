/** What configuration is read from, and the readers every part of it shares (src/config.ts, channel modules' settings). */

export type ConfigEnv = Readonly<Record<string, string | undefined>>;

export class ConfigError extends Error {
  constructor(variable: string, expected: string, got: string | undefined) {
    super(`${variable}: expected ${expected}, got ${got === undefined ? 'nothing' : JSON.stringify(got)}`);
    this.name = 'ConfigError';
  }
}

export function str(env: ConfigEnv, key: string): string | null {
  const value = env[key];
  return value === undefined || value.trim() === '' ? null : value.trim();
}

export function int(env: ConfigEnv, key: string, fallback: number, min: number, max: number): number {
  const raw = str(env, key);
  if (raw === null) return fallback;
  const value = Number(raw);
  if (!/^-?\d+$/.test(raw) || value < min || value > max) {
    throw new ConfigError(key, `an integer from ${min} to ${max}`, raw);
  }
  return value;
}

export function url(env: ConfigEnv, key: string, protocols: readonly string[]): string | null {
  const raw = str(env, key);
  if (raw === null) return null;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(key, `a URL (${protocols.join(', ')})`, raw);
  }
  if (!protocols.includes(parsed.protocol.replace(/:$/, ''))) {
    throw new ConfigError(key, `a URL (${protocols.join(', ')})`, raw);
  }
  return raw.replace(/\/+$/, '');
}

export function oneOf<T extends string>(env: ConfigEnv, key: string, allowed: readonly T[], fallback: T): T {
  const raw = str(env, key);
  if (raw === null) return fallback;
  if (!(allowed as readonly string[]).includes(raw)) throw new ConfigError(key, `one of ${allowed.join(', ')}`, raw);
  return raw as T;
}

export function bool(env: ConfigEnv, key: string, fallback: boolean): boolean {
  const raw = str(env, key);
  if (raw === null) return fallback;
  if (raw !== 'true' && raw !== 'false') throw new ConfigError(key, 'true or false', raw);
  return raw === 'true';
}
