import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { DocumentModel } from './document';
import type { LetterLayoutOptions } from './letter.layout';
import { projectRoot } from '../runtime/project-root';
import { loadPdfaFonts } from './pdfa.fonts';
import { renderPdf } from './pdf.renderer';

export interface RenderedPdf {
  readonly pdf: Buffer;
  readonly pages: number;
}

/** How the pipeline turns a document model into its letter PDF: on the event loop, or on worker threads. */
export interface LetterRenderer {
  /** `encrypt`: an AES-256 copy opened with `userPassword` (an email attachment), otherwise the archive's form. */
  render(model: DocumentModel, encrypt?: { readonly userPassword: string }): Promise<RenderedPdf>;
  close(): Promise<void>;
}

export interface LetterRendererOptions {
  /** PDF/A-2b with embedded fonts (`DOCUMENT_PDFA`). */
  readonly pdfa: boolean;
  readonly layout?: LetterLayoutOptions;
}

/** Renders on the calling thread. */
export function inlineLetterRenderer(options: LetterRendererOptions): LetterRenderer {
  const pdfa = options.pdfa ? loadPdfaFonts() : null;
  return {
    render: (model, encrypt) => renderPdf(model, { ...options.layout, pdfa, userPassword: encrypt?.userPassword ?? null }),
    close: async () => undefined,
  };
}

/** What a render thread is started with (`workerData`); plain data, since functions do not cross threads. */
export interface RenderThreadData {
  readonly pdfa: boolean;
  readonly layout: LetterLayoutOptions;
}
export type RenderThreadRequest = { readonly id: number; readonly model: DocumentModel; readonly userPassword?: string | null };
export type RenderThreadReply = { readonly id: number; readonly pdf: Uint8Array; readonly pages: number } | { readonly id: number; readonly error: string };

interface Pending {
  readonly resolve: (value: RenderedPdf) => void;
  readonly reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  readonly pending: Map<number, Pending>;
}

/**
 * Letters rendered on `threads` worker threads (`RENDER_THREADS`), so that
 * PDF rendering — PDFKit is synchronous CPU work, several milliseconds a
 * letter, four times that for PDF/A — runs on other cores while the event
 * loop goes on with the store, the queues and the providers. Each render goes
 * to the thread with the fewest in flight; the number in flight is bounded by
 * the render jobs' concurrency. A thread that dies fails its renders (the job
 * retries) and is replaced. Threads start with the first letter, so a
 * process that never renders one (an API process, most tests) pays nothing.
 */
export class LetterThreadPool implements LetterRenderer {
  private readonly slots: Slot[] = [];
  private nextId = 1;
  private closed = false;
  private readonly file: string;

  constructor(
    private readonly options: LetterRendererOptions & { readonly threads: number; readonly threadFile?: string },
  ) {
    const file = options.threadFile ?? threadFile();
    if (!existsSync(file)) {
      throw new Error(`RENDER_THREADS: expected the compiled render thread ${file} (run \`npm run build\`), got no such file`);
    }
    this.file = file;
    if (options.pdfa) loadPdfaFonts(); // a missing font stops the start here, with its one-line message
  }

  render(model: DocumentModel, encrypt?: { readonly userPassword: string }): Promise<RenderedPdf> {
    if (this.closed) return Promise.reject(new Error('letter render threads: expected an open pool, got a closed one'));
    while (this.slots.length < this.options.threads) {
      const slot: Slot = { worker: null as unknown as Worker, pending: new Map() };
      this.start(slot, this.file);
      this.slots.push(slot);
    }
    const slot = this.slots.reduce((best, s) => (s.pending.size < best.pending.size ? s : best));
    const id = this.nextId++;
    return new Promise<RenderedPdf>((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      slot.worker.postMessage({ id, model, userPassword: encrypt?.userPassword ?? null } satisfies RenderThreadRequest);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
  }

  /** Starts (or restarts) the slot's thread. */
  private start(slot: Slot, file: string): void {
    const workerData: RenderThreadData = { pdfa: this.options.pdfa, layout: this.options.layout ?? {} };
    const worker = new Worker(file, { workerData });
    slot.worker = worker;
    const failAll = (error: Error): void => {
      for (const pending of slot.pending.values()) pending.reject(error);
      slot.pending.clear();
    };
    worker.on('message', (reply: RenderThreadReply) => {
      const pending = slot.pending.get(reply.id);
      if (!pending) return;
      slot.pending.delete(reply.id);
      if ('error' in reply) pending.reject(new Error(reply.error));
      else pending.resolve({ pdf: Buffer.from(reply.pdf.buffer, reply.pdf.byteOffset, reply.pdf.byteLength), pages: reply.pages });
    });
    worker.on('error', (error) => failAll(error));
    worker.on('exit', (code) => {
      failAll(new Error(`letter render thread exited with code ${code}`));
      if (!this.closed) this.start(slot, file);
    });
  }
}

/**
 * The compiled thread next to this file (the build), or, when this file is
 * TypeScript run in place (the test harness), the one `npm run build` wrote:
 * a worker thread runs JavaScript only.
 */
function threadFile(): string {
  const beside = join(__dirname, 'pdf.thread.js');
  if (existsSync(beside)) return beside;
  const built = join(projectRoot(__dirname), 'dist', 'src', 'render', 'pdf.thread.js');
  return existsSync(built) ? built : beside;
}
