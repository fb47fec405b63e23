interface Stoppable {
  close?(): Promise<void>;
  stop?(): Promise<void>;
}

export default async function globalTeardown(): Promise<void> {
  const servers = (globalThis as Record<string, unknown>).__ccmTestServers as Record<string, Stoppable | null> | undefined;
  if (!servers) return;
  await Promise.all(Object.values(servers).map((s) => (s ? (s.close ?? s.stop)?.call(s) : undefined)));
}
