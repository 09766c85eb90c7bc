// Waiting for a condition, not for a time: a fixed count of polls is a deadline that a loaded CI
// machine (2 cores, two test files and their daemons at once) can overrun, and a test that goes on
// after it reads a state that has not come yet. These throw, naming what never came.
import { existsSync, readFileSync } from 'node:fs';
import type { RpcClient } from '../../shared/ipc/rpc-client.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls jobs.get until the job is in one of `states`; returns that job. */
export async function waitJobState(client: RpcClient, jobId: string, states: string[], timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { job } = await client.call('jobs.get', { jobId });
    if (states.includes(job.state)) return job;
    if (Date.now() > deadline) throw new Error(`job ${jobId} is ${job.state} after ${timeoutMs} ms, not ${states.join(' or ')}`);
    await sleep(50);
  }
}

/**
 * The text of a file another process writes one line to (a player stub's `printf … >>`, an exit
 * file's `echo $? >`), once that line is whole: the shell creates the file before it writes.
 */
export async function waitFileText(file: string, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
    if (text.endsWith('\n')) return text.trim();
    if (Date.now() > deadline) throw new Error(`${file} was not written within ${timeoutMs} ms${text ? ` (so far: ${JSON.stringify(text)})` : ''}`);
    await sleep(50);
  }
}
