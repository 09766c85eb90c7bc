// `extendJob`: which finished job a submit continues, and where its stored latent history is
// (`<output>.latents`, latent-history-file.ts). Every refusal is INVALID_PARAMS naming `extendJob`
// with the reason a user can act on; the engine then checks the file itself (model, size, video).
import { access } from 'node:fs/promises';
import { RpcError, type Job } from '../../shared/protocol/index.js';
import { latentsPathFor } from '../engine/pipeline/latent-history-file.js';

function refused(problem: string): RpcError {
  return new RpcError('INVALID_PARAMS', `extendJob: ${problem}`, { detail: { issues: [{ path: ['extendJob'], code: 'custom', message: problem }] } });
}

/** The latents file of job `id` (a succeeded job of this daemon whose `<output>.latents` exists). */
export async function extendJobLatents(job: Job | undefined, id: string): Promise<string> {
  if (!job) throw refused(`no job '${id}' (framepack jobs lists them)`);
  if (job.state !== 'succeeded' || job.outputPath === null) throw refused(`job ${id} is ${job.state}; only a succeeded job can be continued`);
  const file = latentsPathFor(job.outputPath);
  try {
    await access(file);
  } catch {
    throw refused(`job ${id} has no stored latents (${file} is missing: made before jobs kept them, or moved); use --extend ${job.outputPath} to continue its video instead`);
  }
  return file;
}
