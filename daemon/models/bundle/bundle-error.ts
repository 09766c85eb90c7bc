// The one error type bundle loading and building throw, with a stable code so callers (the
// catalog, `framepack doctor`, the CLI) can tell a damaged bundle from a malformed one.

export type BundleErrorCode =
  | 'MISSING_FILE' // a listed file (or manifest.json) does not exist
  | 'TRUNCATED' // a listed file is shorter than the manifest says
  | 'SIZE_MISMATCH' // a listed file is longer than the manifest says
  | 'HASH_MISMATCH' // right size, wrong content
  | 'INVALID_MANIFEST' // manifest.json is not JSON or does not match the schema
  | 'INVALID_CONFIG' // a bundle config (build input) is malformed
  | 'BUILD_FAILED'; // building a bundle failed (weights do not match, output folder unusable, …)

export class BundleError extends Error {
  override readonly name = 'BundleError';
  constructor(
    readonly code: BundleErrorCode,
    message: string,
    /** The file concerned, relative to the bundle folder, when there is one. */
    readonly file?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
