// The protocol's version. Bump PROTOCOL_VERSION on any change that an older peer could misread
// (a removed or renamed method, event or field, a narrowed type). Additive changes (a new optional
// field, a new method or event) keep it and are announced through hello's `features` instead.

/** Wire protocol version spoken by this build; sent in hello by clients, checked by the daemon. */
export const PROTOCOL_VERSION = 1;

/** Whether a peer speaking `version` can talk to this build: versions must match exactly. */
export function isCompatible(version: number): boolean {
  return version === PROTOCOL_VERSION;
}
