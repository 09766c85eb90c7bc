// Which form block streaming takes (issue 14 item 3), from FRAMEPACK_STREAM_MODE:
//   sessions (default) — per-group sessions created from the group files for every call and
//     released after it (streamed-blocks.ts): host memory holds at most two groups.
//   inputs — one weight-free session per group, kept, with all weights held in host memory and fed
//     per run (input-streamed-blocks.ts): no session creation per call, but on the CPU every weight
//     stays resident, so it saves no memory there; it is the GPU form (the device holds one group).
// The default is `sessions` because on the CPU (the only device measured) streaming is chosen to
// lower the process's peak, which `inputs` does not do (docs/memory.md "Block streaming").
export const STREAM_MODES = ['sessions', 'inputs'] as const;
export type StreamMode = (typeof STREAM_MODES)[number];
export const DEFAULT_STREAM_MODE: StreamMode = 'sessions';

/** The mode an environment value names; unset or empty is the default, anything else unknown throws. */
export function parseStreamMode(value: string | undefined): StreamMode {
  if (value === undefined || value.trim() === '') return DEFAULT_STREAM_MODE;
  const v = value.trim().toLowerCase();
  if ((STREAM_MODES as readonly string[]).includes(v)) return v as StreamMode;
  throw new Error(`FRAMEPACK_STREAM_MODE must be one of ${STREAM_MODES.join(', ')}, got '${value}'`);
}
