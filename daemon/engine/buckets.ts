// Bucket selection and the resize/centre-crop plan of the official demos (FRAMEPACK.md §3.1, §3.2).
// Pure numbers: the pipeline applies the plan with an image library (LANCZOS resize, then crop).
import { pyRound } from './round-half-even.js';

/** A target size in pixels, height first as in the official table. */
export interface Bucket {
  /** Pixel height H (a multiple of 32). */
  heightPx: number;
  /** Pixel width W (a multiple of 32). */
  widthPx: number;
}

/** The official `bucket_options[640]` table, in its original order (order decides ties). */
export const BUCKETS_640: readonly Bucket[] = Object.freeze(
  ([
    [416, 960], [448, 864], [480, 832], [512, 768], [544, 704], [576, 672], [608, 640],
    [640, 608], [672, 576], [704, 544], [768, 512], [832, 480], [864, 448], [960, 416],
  ] as const).map(([heightPx, widthPx]) => Object.freeze({ heightPx, widthPx })),
);

/**
 * `find_nearest_bucket`: minimises |H_in·W_b − W_in·H_b| scanning the table in order with `<=`,
 * so a tie goes to the later bucket (a square input picks 640×608, H×W).
 */
export function nearestBucket(heightPx: number, widthPx: number, table: readonly Bucket[] = BUCKETS_640): Bucket {
  if (!(heightPx > 0 && widthPx > 0)) throw new RangeError(`nearestBucket: bad size ${heightPx}x${widthPx}`);
  let best: Bucket | undefined;
  let bestMetric = Infinity;
  for (const bucket of table) {
    const metric = Math.abs(heightPx * bucket.widthPx - widthPx * bucket.heightPx);
    if (metric <= bestMetric) {
      bestMetric = metric;
      best = bucket;
    }
  }
  if (!best) throw new RangeError('nearestBucket: empty bucket table');
  return best;
}

/** A crop box in resized-image pixels: [left, right) × [top, bottom). */
export interface CropBox {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/** What `resize_and_center_crop` does to one image, as numbers. */
export interface ResizeCropPlan {
  /** False when the input already has the bucket's size: the official code returns it untouched. */
  resize: boolean;
  /** `max(W/W_in, H/H_in)`, in double precision. */
  scale: number;
  /** Size after the LANCZOS resize: Python round (half-even) of W_in·scale and H_in·scale. */
  resizedWidthPx: number;
  resizedHeightPx: number;
  /** The fractional box the official code asks for. */
  requestedBox: CropBox;
  /** The integer box Pillow actually crops (each coordinate rounded half-even). */
  cropBox: CropBox;
}

/** Plans `resize_and_center_crop(image, target_width=W, target_height=H)` for an input of inW×inH. */
export function resizeCropPlan(inWidthPx: number, inHeightPx: number, bucket: Bucket): ResizeCropPlan {
  const { widthPx: W, heightPx: H } = bucket;
  if (!(inWidthPx > 0 && inHeightPx > 0)) throw new RangeError(`resizeCropPlan: bad input size ${inWidthPx}x${inHeightPx}`);
  if (inWidthPx === W && inHeightPx === H) {
    const box = { left: 0, top: 0, right: W, bottom: H };
    return { resize: false, scale: 1, resizedWidthPx: W, resizedHeightPx: H, requestedBox: box, cropBox: { ...box } };
  }
  const scale = Math.max(W / inWidthPx, H / inHeightPx);
  const rw = pyRound(inWidthPx * scale);
  const rh = pyRound(inHeightPx * scale);
  const requestedBox = { left: (rw - W) / 2, top: (rh - H) / 2, right: (rw + W) / 2, bottom: (rh + H) / 2 };
  // Pillow's Image.crop rounds each box coordinate with Python round() before cropping.
  const cropBox = {
    left: pyRound(requestedBox.left),
    top: pyRound(requestedBox.top),
    right: pyRound(requestedBox.right),
    bottom: pyRound(requestedBox.bottom),
  };
  return { resize: true, scale, resizedWidthPx: rw, resizedHeightPx: rh, requestedBox, cropBox };
}
