/** Polls `probe` every 10 ms until it returns something other than undefined; throws after `timeoutMs`. */
export async function until<T>(probe: () => T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`expected the condition within ${timeoutMs} ms, it did not hold`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
