// Eviction policy, pure (STYLE.md §3.3 conv. 7, ollama's findRunnerToUnload): which resident
// components to unload so `neededBytes` fit in the budget. Only idle components (no lease) may go;
// the shortest keep-alive goes first (−1 = forever goes last), then the least recently used.
// Returns null when even evicting every idle component would not make room.

export interface EvictionCandidate {
  key: string;
  /** Bytes it holds on the budgeted device. */
  bytes: number;
  leases: number;
  /** Normalized keep-alive, ms; −1 = forever. */
  keepAliveMs: number;
  /** Last time a lease was released (or it was loaded), ms since the epoch. */
  lastUsedMs: number;
}

export interface EvictionChoice {
  victims: EvictionCandidate[];
  /** Why, in one line, for the log and the model.unloaded event. */
  reason: string;
}

function keepAliveRank(ms: number): number {
  return ms < 0 ? Number.POSITIVE_INFINITY : ms;
}

/** Idle-first, shortest keep-alive, least recently used. */
export function evictionOrder(candidates: readonly EvictionCandidate[]): EvictionCandidate[] {
  return candidates
    .filter((c) => c.leases === 0)
    .sort((a, b) => keepAliveRank(a.keepAliveMs) - keepAliveRank(b.keepAliveMs) || a.lastUsedMs - b.lastUsedMs || a.key.localeCompare(b.key));
}

export function chooseVictims(resident: readonly EvictionCandidate[], neededBytes: number, budgetBytes: number, forKey: string): EvictionChoice | null {
  const used = resident.reduce((sum, c) => sum + c.bytes, 0);
  let free = budgetBytes - used;
  if (free >= neededBytes) return { victims: [], reason: '' };
  const victims: EvictionCandidate[] = [];
  for (const c of evictionOrder(resident)) {
    if (free >= neededBytes) break;
    victims.push(c);
    free += c.bytes;
  }
  if (free < neededBytes) return null;
  const gib = (n: number) => (n / 1024 ** 3).toFixed(2);
  return {
    victims,
    reason: `${forKey} needs ${gib(neededBytes)} GiB; ${gib(budgetBytes - used)} GiB of the ${gib(budgetBytes)} GiB budget was free`,
  };
}
