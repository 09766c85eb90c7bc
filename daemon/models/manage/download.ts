// One file from a Hugging Face-compatible endpoint (`<base>/<repo>/resolve/<rev>/<path>`),
// resumable and verified. The file grows in `<dest>.part`; a retry or a later run continues it with
// an HTTP Range request (a server that ignores Range answers 200 and the file restarts). The
// expected sha256 comes from, in order: the caller (a hash manifest), the `X-Linked-Etag` header of
// the resolve redirect (Hugging Face sets it to the LFS object's sha256), or an ETag that is 64 hex
// digits. Small non-LFS files (configs, tokenizers) have only a git-blob ETag and are checked by
// size. The `.part` is renamed into place only after the hash matched.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';

export interface DownloadProgress { file: string; receivedBytes: number; totalBytes: number | null; resumedFrom: number }

export interface DownloadOptions {
  url: string;
  dest: string;
  /** Known sha256 (lower-case hex); overrides what the server says. */
  sha256?: string;
  /** Sent to the endpoint's own host only (not to redirect targets). */
  token?: string;
  /** Extra attempts after a dropped connection, each resuming the .part (default 3). */
  retries?: number;
  onProgress?: (p: DownloadProgress) => void;
  /** Treat 404 as "absent" (returns null) instead of an error. */
  optional?: boolean;
  signal?: AbortSignal;
}

export interface DownloadResult { path: string; bytes: number; sha256: string; verified: 'sha256' | 'size'; resumed: boolean; skipped: boolean }

export class DownloadError extends Error {
  override readonly name = 'DownloadError';
  constructor(message: string, readonly url: string, readonly status?: number) { super(message); }
}

const HEX64 = /^[0-9a-f]{64}$/;
const unquote = (s: string | null) => (s ?? '').replace(/^W\//, '').replace(/"/g, '').trim().toLowerCase();

async function sha256OfFile(file: string, hash = createHash('sha256')): Promise<ReturnType<typeof createHash>> {
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash;
}

interface Target { url: string; expectedSha: string | null; expectedSize: number | null; sameHost: boolean }

/** Follows redirects by hand so the X-Linked-* headers of the resolve response are seen. */
async function resolveTarget(opts: DownloadOptions): Promise<Target | null> {
  let url = opts.url;
  let expectedSha: string | null = null;
  let expectedSize: number | null = null;
  const origin = new URL(opts.url).host;
  for (let hop = 0; hop < 5; hop++) {
    const sameHost = new URL(url).host === origin;
    const res = await fetch(url, { method: 'HEAD', redirect: 'manual', headers: sameHost && opts.token ? { authorization: `Bearer ${opts.token}` } : {}, ...(opts.signal ? { signal: opts.signal } : {}) });
    const linked = unquote(res.headers.get('x-linked-etag'));
    if (HEX64.test(linked)) expectedSha ??= linked;
    const linkedSize = res.headers.get('x-linked-size');
    if (linkedSize && /^\d+$/.test(linkedSize)) expectedSize ??= Number(linkedSize);
    if (res.status >= 300 && res.status < 400 && res.headers.get('location')) {
      url = new URL(res.headers.get('location')!, url).href;
      // An LFS redirect goes to a CDN with a URL signed for GET only (a HEAD there can be refused);
      // the linked headers already said what to expect, so the GET goes straight to it.
      if (HEX64.test(linked) && new URL(url).host !== origin) return { url, expectedSha, expectedSize, sameHost: false };
      continue;
    }
    if (res.status === 404 && opts.optional) return null;
    if (!res.ok) throw new DownloadError(`${opts.url}: HTTP ${res.status}${res.status === 401 || res.status === 403 ? ' (gated or private: set HF_TOKEN)' : ''}`, opts.url, res.status);
    const etag = unquote(res.headers.get('etag'));
    if (HEX64.test(etag)) expectedSha ??= etag;
    const len = res.headers.get('content-length');
    if (len && /^\d+$/.test(len)) expectedSize ??= Number(len);
    return { url, expectedSha, expectedSize, sameHost };
  }
  throw new DownloadError(`${opts.url}: too many redirects`, opts.url);
}

/** Downloads (or resumes) one file; null when optional and absent. */
export async function downloadFile(opts: DownloadOptions): Promise<DownloadResult | null> {
  const target = await resolveTarget(opts);
  if (!target) return null;
  const expectedSha = opts.sha256?.toLowerCase() ?? target.expectedSha;
  const file = path.basename(opts.dest);
  await mkdir(path.dirname(opts.dest), { recursive: true });

  // Already complete from an earlier run?
  const existing = await stat(opts.dest).catch(() => null);
  if (existing && (target.expectedSize === null || existing.size === target.expectedSize)) {
    const sha = (await sha256OfFile(opts.dest)).digest('hex');
    if (!expectedSha || sha === expectedSha) return { path: opts.dest, bytes: existing.size, sha256: sha, verified: expectedSha ? 'sha256' : 'size', resumed: false, skipped: true };
    await rm(opts.dest, { force: true });
  }

  const part = `${opts.dest}.part`;
  const retries = opts.retries ?? 3;
  let resumed = false;
  for (let attempt = 0; ; attempt++) {
    try {
      const r = await fetchInto(part, target, opts, file);
      resumed ||= r.resumedFrom > 0;
      const bytes = (await stat(part)).size;
      if (target.expectedSize !== null && bytes !== target.expectedSize) {
        throw new DownloadError(`${file}: got ${bytes} bytes, expected ${target.expectedSize}`, opts.url);
      }
      const sha = r.hash.digest('hex');
      if (expectedSha && sha !== expectedSha) {
        await rm(part, { force: true });
        throw new DownloadError(`${file}: sha256 ${sha} does not match the expected ${expectedSha}; the download was corrupted (removed; run pull again)`, opts.url);
      }
      await rename(part, opts.dest);
      return { path: opts.dest, bytes, sha256: sha, verified: expectedSha ? 'sha256' : 'size', resumed, skipped: false };
    } catch (err: unknown) {
      const fatal = err instanceof DownloadError || (err as Error).name === 'AbortError' || attempt >= retries;
      if (fatal) throw err instanceof DownloadError ? err : new DownloadError(`${file}: ${(err as Error).message} (partial download kept in ${part}; run pull again to resume)`, opts.url);
    }
  }
}

/** One GET, appending to `part` from its current size; returns the running hash of the whole file. */
async function fetchInto(part: string, t: Target, opts: DownloadOptions, file: string): Promise<{ hash: ReturnType<typeof createHash>; resumedFrom: number }> {
  let have = (await stat(part).catch(() => null))?.size ?? 0;
  if (t.expectedSize !== null && have > t.expectedSize) { await rm(part, { force: true }); have = 0; }
  const headers: Record<string, string> = {};
  if (have > 0) headers.range = `bytes=${have}-`;
  if (t.sameHost && opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (t.expectedSize !== null && have === t.expectedSize) return { hash: await sha256OfFile(part), resumedFrom: have };
  const res = await fetch(t.url, { headers, ...(opts.signal ? { signal: opts.signal } : {}) });
  if (res.status === 416 && have > 0) { await rm(part, { force: true }); return fetchInto(part, t, opts, file); }
  if (!res.ok || !res.body) throw new DownloadError(`${file}: HTTP ${res.status} from ${t.url}`, opts.url, res.status);
  let start = 0;
  if (res.status === 206) {
    const m = /bytes (\d+)-/.exec(res.headers.get('content-range') ?? '');
    if (!m || Number(m[1]) !== have) throw new DownloadError(`${file}: server resumed at ${m?.[1] ?? '?'} instead of ${have}`, opts.url);
    start = have;
  }
  // 200 to a Range request: the server ignored it; start over.
  const hash = start > 0 ? await sha256OfFile(part) : createHash('sha256');
  const fh = await open(part, start > 0 ? 'a' : 'w');
  let received = start;
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      await fh.write(chunk);
      hash.update(chunk);
      received += chunk.byteLength;
      opts.onProgress?.({ file, receivedBytes: received, totalBytes: t.expectedSize, resumedFrom: start });
    }
  } finally {
    await fh.close();
  }
  return { hash, resumedFrom: start };
}
