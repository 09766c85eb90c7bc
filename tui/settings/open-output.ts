// Open a finished video in the configured player: spawned detached with its output discarded, so
// the player neither writes into Ink's screen nor dies with the dashboard.
import { spawn } from 'node:child_process';
import { playerArgv, type PlayerCommand } from './settings.js';

/** Resolves once the player process started; rejects when it cannot be started (e.g. ENOENT). */
export function openInPlayer(player: PlayerCommand, file: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(player.command, playerArgv(player, file), { detached: true, stdio: 'ignore' });
    child.once('error', (err) => reject(new Error(`could not start the player '${player.command}': ${err.message}`)));
    child.once('spawn', () => {
      child.unref();
      resolve();
    });
  });
}
