// A worker's copies of a shared job's files (travel-files.ts): each blob out of Redis, checked
// against the sha256 the submitter recorded, written to `<data dir>/cluster/inbox/<job>/<field>-<i>/<name>`;
// the spec the worker submits to its own job service names those copies. The job service copies
// the images and an extended video into the job's folder at submit, as for a local job (so the
// sidecar records them as it does there); LoRA files are read from the inbox while the job runs,
// and the inbox goes when the job ends.
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { JobSpec } from '../../shared/domain/job.js';
import type { BlobStore } from './blob-store.js';
import { inboxPath, travelBlob, withTravelPaths } from './travel-files.js';
import type { ClusterJobData } from './wire.js';

/** A file the job needs is gone from Redis or does not match: no worker can run the job. */
export class InboxMissing extends Error {
  override readonly name = 'InboxMissing';
}

/** Writes the job's files into `inbox`; returns the spec naming them there, and their bytes in all. */
export async function writeInbox(blobs: BlobStore, jobId: string, data: ClusterJobData, inbox: string): Promise<{ spec: JobSpec; bytes: number }> {
  // A job queued by the previous version carries only its start image, as `input`.
  const files = data.files ?? (data.input ? [{ field: 'image' as const, index: 0, ...data.input }] : []);
  const local = new Map<string, string>();
  let total = 0;
  await mkdir(inbox, { recursive: true, mode: 0o700 });
  for (const f of files) {
    const bytes = await blobs.get(travelBlob(jobId, f));
    if (!bytes) throw new InboxMissing(`${f.field}: the file ${f.name} of job ${jobId} is no longer in redis (expired or removed)`);
    if (createHash('sha256').update(bytes).digest('hex') !== f.sha256) throw new InboxMissing(`${f.field}: the file ${f.name} of job ${jobId} in redis does not match the sha256 it was submitted with`);
    const file = inboxPath(inbox, f, f.name);
    await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    await writeFile(file, bytes, { mode: 0o600 });
    local.set(`${f.field}:${f.index}`, file);
    total += bytes.byteLength;
  }
  const spec = withTravelPaths(data.spec, (f) => {
    const file = local.get(`${f.field}:${f.index}`);
    if (!file) throw new InboxMissing(`${f.field}: job ${jobId} names ${f.path} but carries no such file`);
    return file;
  });
  return { spec, bytes: total };
}
