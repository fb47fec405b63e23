import { createHash, createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { access, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import type { CommunicationRepository } from './communication.repository';
import type { DocumentEntity } from './document.entity';

export interface DocumentArchiveOptions {
  /** Folder of the content-addressed files. */
  readonly dir: string;
  /** Key of the HMAC that signs download links. */
  readonly signingSecret: string;
  /** How long a download link stays valid. */
  readonly linkTtlSeconds: number;
  /** The gateway's public base URL; links point at `${publicUrl}/documents/<id>`. */
  readonly publicUrl: string;
  readonly repository: CommunicationRepository;
}

export interface DocumentMeta {
  readonly communicationId: string;
  readonly customerId: string;
  /** The template key. */
  readonly kind: string;
  readonly mimeType: string;
  readonly pages: number | null;
  /** The encoded render snapshot (reprints); none for documents not composed from a template. */
  readonly snapshot?: string | null;
}

export type LinkCheck = 'ok' | 'expired' | 'invalid';

/**
 * Everything sent is archived: the bytes once per content (stored under
 * `sha256[0..2]/sha256`), an index row per communication, and signed,
 * expiring download links that need no session.
 */
export class DocumentArchive {
  private readonly publicUrl: string;

  constructor(private readonly options: DocumentArchiveOptions) {
    if (!options.signingSecret) throw new Error('signingSecret: expected a non-empty secret, got an empty string');
    if (!Number.isInteger(options.linkTtlSeconds) || options.linkTtlSeconds <= 0) {
      throw new Error(`linkTtlSeconds: expected a positive integer, got ${options.linkTtlSeconds}`);
    }
    this.publicUrl = options.publicUrl.replace(/\/+$/, '');
  }

  async put(bytes: Uint8Array, meta: DocumentMeta): Promise<DocumentEntity> {
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const storageKey = `${sha256.slice(0, 2)}/${sha256}`;
    const path = join(this.options.dir, storageKey);
    if (!(await exists(path))) {
      await mkdir(dirname(path), { recursive: true });
      // Write then rename: readers and concurrent writers of the same content never see a partial file.
      const tmp = `${path}.${randomUUID()}.tmp`;
      try {
        await writeFile(tmp, bytes);
        await rename(tmp, path);
      } finally {
        await rm(tmp, { force: true });
      }
    }
    return this.options.repository.addDocument({ ...meta, sizeBytes: bytes.byteLength, sha256, storageKey });
  }

  /** The document and its bytes, checked against the recorded hash; null when there is no such document. */
  async read(documentId: string): Promise<{ entity: DocumentEntity; bytes: Buffer } | null> {
    const entity = await this.options.repository.getDocument(documentId);
    if (!entity) return null;
    const bytes = await readFile(join(this.options.dir, entity.storageKey));
    const actual = createHash('sha256').update(bytes).digest('hex');
    if (actual !== entity.sha256) {
      throw new Error(`document ${documentId}: expected content with SHA-256 ${entity.sha256}, got ${actual}`);
    }
    return { entity, bytes };
  }

  /** For streaming downloads; no hash check (that would need the whole file first). */
  async open(documentId: string): Promise<{ entity: DocumentEntity; stream: Readable } | null> {
    const entity = await this.options.repository.getDocument(documentId);
    if (!entity) return null;
    const path = join(this.options.dir, entity.storageKey);
    await access(path);
    return { entity, stream: createReadStream(path) };
  }

  /** `reader: 'portal'`: a link made for the customer's own portal session; its download counts as read (signed too). */
  signedUrl(documentId: string, now: Date = new Date(), options: { readonly reader?: 'portal' } = {}): string {
    const expires = Math.floor(now.getTime() / 1000) + this.options.linkTtlSeconds;
    const query = new URLSearchParams({ expires: String(expires), ...(options.reader ? { reader: options.reader } : {}), sig: this.sign(documentId, expires, options.reader) });
    return `${this.publicUrl}/documents/${encodeURIComponent(documentId)}?${query.toString()}`;
  }

  /** A link is checked for its signature first, so a tampered expiry is 'invalid', not 'expired'. */
  verify(documentId: string, expires: string | number, sig: string, now: Date = new Date(), reader?: string): LinkCheck {
    const text = String(expires);
    if (!/^\d{1,12}$/.test(text) || typeof sig !== 'string') return 'invalid';
    if (reader !== undefined && reader !== 'portal') return 'invalid';
    const expected = Buffer.from(this.sign(documentId, Number(text), reader));
    const given = Buffer.from(sig);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'invalid';
    return Number(text) * 1000 > now.getTime() ? 'ok' : 'expired';
  }

  private sign(documentId: string, expires: number, reader?: string): string {
    return createHmac('sha256', this.options.signingSecret).update(`${documentId}:${expires}${reader ? `:${reader}` : ''}`).digest('base64url');
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
