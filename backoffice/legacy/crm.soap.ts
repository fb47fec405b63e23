import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { listen } from 'soap';
import { checkFaultSettings, type FaultSettings, type ServiceStats } from '../json.service';
import { partyServiceWsdl } from './crm.wsdl';
import type { LegacyParty } from './legacy.shapes';

export interface LegacyCrmOptions {
  readonly parties: readonly LegacyParty[];
  /** Required in the `x-legacy-key` header of every call. */
  readonly apiKey: string;
}

const PATH = '/crm/PartyService';
const MAX_IDS = 200;
const MAX_ROWS = 100;

interface Fault {
  readonly Fault: { readonly faultcode: string; readonly faultstring: string; readonly statusCode: number };
}

function fault(statusCode: number, code: string, text: string): Fault {
  return { Fault: { faultcode: `soap:${code}`, faultstring: text, statusCode } };
}

/**
 * The legacy CRM: a SOAP PartyService (WSDL at `<url>?wsdl`) served by the
 * `soap` package. Faults and counts like the JSON systems: `control()` takes the
 * same settings, `stats()` counts calls per operation (`SOAP GetParties`).
 */
export class LegacyCrmService {
  private readonly server: Server;
  private readonly byNo: Map<string, LegacyParty>;
  private readonly texts: string[];
  private faults: FaultSettings = { latencyMs: 0, failureRate: 0, down: false };
  private counts = { requests: 0, byRoute: {} as Record<string, number> };

  constructor(private readonly options: LegacyCrmOptions) {
    this.byNo = new Map(options.parties.map((p) => [p.PartyNo, p]));
    this.texts = options.parties.map((p) => [p.PartyNo, p.Forename, p.Surname, p.OrgName, p.EMail].filter(Boolean).join('\n').toLowerCase());
    this.server = createServer((_req, res) => {
      res.statusCode = 404;
      res.end();
    });
  }

  async listen(port: number, host: string): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => resolve());
    });
    const url = `http://${host}:${(this.server.address() as AddressInfo).port}${PATH}`;
    const guard = async <T>(operation: string, headers: unknown, answer: () => T): Promise<T> => {
      this.counts.requests += 1;
      const key = `SOAP ${operation}`;
      this.counts.byRoute[key] = (this.counts.byRoute[key] ?? 0) + 1;
      if (this.faults.down) throw fault(503, 'Server', 'the legacy CRM is down (fault injection)');
      if (this.faults.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.faults.latencyMs).unref());
      if ((headers as Record<string, string | undefined>)['x-legacy-key'] !== this.options.apiKey) throw fault(401, 'Client', 'x-legacy-key: expected the API key of this client');
      return answer();
    };
    const service = {
      PartyService: {
        PartyPort: {
          GetParties: (args: { PartyNo?: string | string[] }, _cb: unknown, _h: unknown, req: { headers: unknown }) =>
            guard('GetParties', req.headers, () => {
              const ids = args.PartyNo === undefined ? [] : Array.isArray(args.PartyNo) ? args.PartyNo : [args.PartyNo];
              if (ids.length > MAX_IDS) throw fault(400, 'Client', `PartyNo: expected at most ${MAX_IDS}, got ${ids.length}`);
              return { Party: ids.map((id) => this.byNo.get(id)).filter((p): p is LegacyParty => p !== undefined) };
            }),
          FindParties: (args: { Query?: string; Start?: number | string; Rows?: number | string }, _cb: unknown, _h: unknown, req: { headers: unknown }) =>
            guard('FindParties', req.headers, () => {
              const start = Number(args.Start ?? 0);
              const rows = Number(args.Rows ?? 20);
              if (!Number.isInteger(start) || start < 0 || !Number.isInteger(rows) || rows < 1 || rows > MAX_ROWS) {
                throw fault(400, 'Client', `Start/Rows: expected Start ≥ 0 and Rows from 1 to ${MAX_ROWS}`);
              }
              const term = (args.Query ?? '').trim().toLowerCase();
              const matches = term === '' ? this.options.parties : this.options.parties.filter((_, i) => this.texts[i].includes(term));
              return { Total: matches.length, Party: matches.slice(start, start + rows) };
            }),
        },
      },
    };
    listen(this.server, PATH, service, partyServiceWsdl(url));
    return url;
  }

  control(update: Partial<FaultSettings>): FaultSettings {
    this.faults = checkFaultSettings(this.faults, update);
    return this.faults;
  }

  stats(): ServiceStats {
    return { requests: this.counts.requests, byRoute: { ...this.counts.byRoute } };
  }

  resetStats(): void {
    this.counts = { requests: 0, byRoute: {} };
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.server.listening) return resolve();
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
