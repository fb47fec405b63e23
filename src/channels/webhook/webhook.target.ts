import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

/** Ranges a webhook may reach only when the operator allows private targets: loopback, private, link-local, … */
const PUBLIC_RANGES: ReadonlySet<string> = new Set(['unicast']);

/** Whether `address` (IPv4 or IPv6, IPv4-mapped included) is a public unicast address. */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  return PUBLIC_RANGES.has(parsed.range());
}

/** Why `url` may not be a webhook target (scheme, credentials in it), or null when it may. */
export function whyNotTarget(url: string, allowPrivate: boolean): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'is not a URL';
  }
  if (parsed.username || parsed.password) return 'carries credentials';
  // An address literal is connected to without a lookup: check it here.
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  if (!allowPrivate && ipaddr.isValid(host) && !isPublicAddress(host)) return 'is a non-public address (private targets are not allowed: WEBHOOK_ALLOW_PRIVATE)';
  if (parsed.protocol === 'https:') return null;
  if (parsed.protocol === 'http:' && allowPrivate) return null;
  return 'is not https';
}

/**
 * A DNS lookup for the HTTP client that refuses private, loopback and other
 * non-public addresses (SSRF): the check happens on the address the socket
 * connects to, so a name that resolves differently a moment later (DNS
 * rebinding) is caught too.
 */
export function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const list = addresses as unknown as LookupAddress[];
      const refused = allowPrivate ? undefined : list.find((a) => !isPublicAddress(a.address));
      if (refused || list.length === 0) {
        const blocked = Object.assign(new Error(`webhook target ${hostname} resolves to a non-public address; private targets are not allowed (WEBHOOK_ALLOW_PRIVATE)`), { code: 'EWEBHOOKPRIVATE' });
        return callback(blocked, '', 0);
      }
      if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
      const first = list[0] as LookupAddress;
      return callback(null, first.address, first.family);
    });
  };
}
