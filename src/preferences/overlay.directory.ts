import type { CustomerDirectory, Page, PageRequest } from '../connectors/backoffice';
import type { CustomerRecord } from '../domain';
import type { PreferenceOverlay } from './preference.values';
import { applyOverlay } from './preference.values';

/** Where the overlays come from: the store's PreferenceRepository. */
export interface OverlaySource {
  overlays(customerIds: readonly string[]): Promise<Map<string, PreferenceOverlay>>;
}

/**
 * The CRM as the rest of the gateway sees it: every record with the
 * preference overlay laid over it, so planning, rendering and the API all
 * read the customer's current choice. One store query per CRM batch.
 */
export class OverlayCustomerDirectory implements CustomerDirectory {
  constructor(
    /** The CRM itself; also what the write-through talks to. */
    readonly crm: CustomerDirectory,
    private readonly source: OverlaySource,
  ) {}

  async getCustomers(ids: readonly string[]): Promise<readonly (CustomerRecord | null)[]> {
    const records = await this.crm.getCustomers(ids);
    return this.overlaid(records);
  }

  async searchCustomers(request: PageRequest & { readonly search?: string | null }): Promise<Page<CustomerRecord>> {
    const page = await this.crm.searchCustomers(request);
    return { ...page, items: (await this.overlaid(page.items)) as CustomerRecord[] };
  }

  async findByPhone(phone: string): Promise<readonly CustomerRecord[]> {
    if (!this.crm.findByPhone) return [];
    return (await this.overlaid(await this.crm.findByPhone(phone))).filter((record): record is CustomerRecord => record !== null);
  }

  close(): Promise<void> {
    return this.crm.close?.() ?? Promise.resolve();
  }

  private async overlaid(records: readonly (CustomerRecord | null)[]): Promise<(CustomerRecord | null)[]> {
    const ids = records.flatMap((record) => (record ? [record.id] : []));
    const overlays = ids.length ? await this.source.overlays(ids) : new Map<string, PreferenceOverlay>();
    return records.map((record) => (record ? applyOverlay(record, overlays.get(record.id) ?? null) : null));
  }
}
