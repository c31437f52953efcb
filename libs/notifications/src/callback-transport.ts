import { lookup as dnsLookup, LookupAddress } from 'node:dns';
import * as http from 'node:http';
import * as https from 'node:https';
import * as ipaddr from 'ipaddr.js';

export interface DeliveryResult {
  readonly status: number;
  /** From Retry-After (seconds or an HTTP date), when the receiver sent one. */
  readonly retryAfterMs?: number;
}

/** True for addresses a callback must never reach in production: private, loopback, link-local, reserved... */
export function isNonPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return true;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  }
  return parsed.range() !== 'unicast';
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A DNS lookup that refuses non-public addresses. Used as the socket's own
 * lookup, so the address checked is the address connected to (no DNS
 * rebinding between a check and the connection).
 */
export function publicOnlyLookup(hostname: string, options: object, callback: LookupCallback): void {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, []);
    const refused = addresses.find((entry) => isNonPublicAddress(entry.address));
    if (refused) {
      const denied = new Error(`callbackUri host ${hostname} resolves to a non-public address (${refused.address})`);
      return callback(Object.assign(denied, { code: 'ENONPUBLIC' }), []);
    }
    const wantsAll = (options as { all?: boolean }).all;
    if (wantsAll) return callback(null, addresses);
    callback(null, addresses[0].address, addresses[0].family);
  });
}

/** Resolves a callback host now and throws if it is not public (checked at call creation in production). */
export async function assertPublicHost(hostname: string): Promise<void> {
  await new Promise<void>((resolve, reject) =>
    publicOnlyLookup(hostname.replace(/^\[|\]$/g, ''), {}, (error) => (error ? reject(error) : resolve())),
  );
}

function retryAfterMs(header: string | string[] | undefined, now = Date.now()): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export interface TransportSettings {
  readonly timeoutMs: number;
  /** Production: https only and public addresses only. */
  readonly production: boolean;
}

/** POSTs one notification; resolves with the status, rejects on a network error or timeout. */
export function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string>,
  settings: TransportSettings,
): Promise<DeliveryResult> {
  const target = new URL(url);
  if (settings.production && target.protocol !== 'https:') {
    return Promise.reject(new Error('callbackUri must be https in production'));
  }
  // An address literal never goes through the lookup, so it is checked here.
  const literal = target.hostname.replace(/^\[|\]$/g, '');
  if (settings.production && ipaddr.isValid(literal) && isNonPublicAddress(literal)) {
    const denied = new Error(`callbackUri address ${literal} is not public`);
    return Promise.reject(Object.assign(denied, { code: 'ENONPUBLIC' }));
  }
  const payload = Buffer.from(JSON.stringify(body));
  const client = target.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const request = client.request(
      target,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': String(payload.length), ...headers },
        timeout: settings.timeoutMs,
        ...(settings.production ? { lookup: publicOnlyLookup as never } : {}),
      },
      (response) => {
        response.resume(); // the body is not needed; drain it so the socket is freed
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, retryAfterMs: retryAfterMs(response.headers['retry-after']) }),
        );
        response.on('error', reject);
      },
    );
    request.on('timeout', () => request.destroy(new Error(`no answer within ${settings.timeoutMs} ms`)));
    request.on('error', reject);
    request.end(payload);
  });
}
