import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { RunningBackoffice } from '../backoffice/server';
import type { Config } from '../src/config';
import { createBackoffice } from '../src/connectors/backoffice.factory';
import { referenceOf } from '../src/jobs/render-context.loader';
import { renderPdf } from '../src/render/pdf.renderer';
import { TemplateCatalog } from '../src/render/template.catalog';
import { projectRoot } from '../src/runtime/project-root';
import { invoiceData } from './pipeline.runner';
import type { Recipient } from './recipients';

export interface RawPdfResult {
  readonly renders: number;
  readonly seconds: number;
  readonly pdfsPerSecond: number;
  readonly msPerPdf: number;
  readonly pages: number;
  readonly bytes: number;
}

/**
 * PDFKit's own limit on this machine: the very letter the email scenario
 * attaches (same template, same data, a real customer read through the
 * gateway's connectors), composed once and rendered `renders` times in a row
 * on one thread, after a short warm-up.
 */
export async function benchRawPdf(backoffice: RunningBackoffice, config: Config, recipient: Recipient, renders: number): Promise<RawPdfResult> {
  const connectors = await createBackoffice({
    crmUrl: backoffice.crmUrl,
    catalogUrl: backoffice.catalogUrl,
    contractsDatabaseUrl: backoffice.contractsDatabaseUrl,
    timeoutMs: 5_000,
    retries: 1,
    cacheTtlMs: 0,
  });
  let ctx;
  try {
    const [[customer], [contract]] = await Promise.all([connectors.crm.getCustomers([recipient.customerId]), connectors.contracts.getContracts([recipient.contractId])]);
    const [product] = contract ? await connectors.catalog.getProducts([contract.productId]) : [null];
    if (!customer || !contract || !product) throw new Error(`raw PDF: expected customer ${recipient.customerId} with contract ${recipient.contractId} and its product, got a gap`);
    const [name, ...addressLines] = config.senderAddress;
    const communicationId = '00000000-0000-4000-8000-000000000000';
    ctx = {
      customer, contract, product,
      data: invoiceData('INV-RAW-1'),
      communicationId,
      reference: referenceOf(communicationId),
      date: new Date('2026-11-22T09:30:00Z'),
      sender: { name, addressLines, returnLine: [name, ...addressLines].join(' · ') },
    };
  } finally {
    await connectors.close();
  }
  const model = TemplateCatalog.load(join(projectRoot(), 'templates')).compose('invoice-available', ctx);
  let last = await renderPdf(model);
  for (let i = 0; i < Math.min(20, renders); i += 1) last = await renderPdf(model);
  const t0 = performance.now();
  for (let i = 0; i < renders; i += 1) last = await renderPdf(model);
  const seconds = (performance.now() - t0) / 1000;
  return { renders, seconds, pdfsPerSecond: renders / seconds, msPerPdf: (seconds * 1000) / renders, pages: last.pages, bytes: last.pdf.length };
}
