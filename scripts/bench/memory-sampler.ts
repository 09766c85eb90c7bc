// What Node can honestly say about memory during a stretch of work: the process RSS sampled on a
// timer (ONNX Runtime runs a session on its own threads, so the event loop keeps ticking while a
// graph runs), the RSS at the end, the kernel's high-water mark (getrusage ru_maxrss, the true
// peak of the whole process so far) and the ArrayBuffer total (our tensors, latents and pixels).
// RSS includes everything resident: ORT's CPU arena and its intermediate tensors, the V8 heap,
// Node's buffers and loaded code. ORT exposes no arena statistics to Node, so arena growth shows
// only as RSS growth.

export interface MemoryWindow {
  /** Largest RSS seen by the sampler or at the ends of the window, MiB. */
  rssPeakMiB: number;
  /** RSS when the window closed, MiB. */
  rssEndMiB: number;
  /** getrusage ru_maxrss when the window closed: the process's peak RSS since it started, MiB. */
  maxRssMiB: number;
  /** ArrayBuffer memory (typed arrays, ORT tensors handed to JS) when the window closed, MiB. */
  arrayBuffersMiB: number;
  samples: number;
}

const MiB = 1024 * 1024;
const round1 = (x: number) => Math.round(x * 10) / 10;

export class MemorySampler {
  private peak = 0;
  private samples = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly intervalMs = 5) {}

  start(): void {
    this.peak = process.memoryUsage.rss();
    this.samples = 1;
    this.timer = setInterval(() => {
      this.peak = Math.max(this.peak, process.memoryUsage.rss());
      this.samples++;
    }, this.intervalMs);
    this.timer.unref();
  }

  stop(): MemoryWindow {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const usage = process.memoryUsage();
    this.peak = Math.max(this.peak, usage.rss);
    return {
      rssPeakMiB: round1(this.peak / MiB),
      rssEndMiB: round1(usage.rss / MiB),
      maxRssMiB: round1((process.resourceUsage().maxRSS * 1024) / MiB),
      arrayBuffersMiB: round1(usage.arrayBuffers / MiB),
      samples: this.samples + 1,
    };
  }
}
